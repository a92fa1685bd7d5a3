"""The Galaxy interactive tool (galaxy/rangeo.xml): planemo lints it, and its "execute"
mode runs as a Galaxy job would run it, in a working directory with the staged
`galaxy_inputs.json` and an `outputs/` directory, with the command the tool's XML holds.

planemo lives in build/planemo (scripts/test.sh installs it: Galaxy's packages pin other
versions than the Jupyter environment's).
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "galaxy" / "rangeo.xml"
PLANEMO = ROOT / "build" / "planemo" / "bin" / "planemo"


def test_planemo_lints_the_tool_clean():
    if not PLANEMO.exists():
        pytest.fail(f"{PLANEMO} is missing: scripts/test.sh installs it (ensure_planemo)")
    lint = subprocess.run([str(PLANEMO), "lint", str(TOOL)], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert not re.search(r"\.\. (WARNING|ERROR)", lint.stdout), lint.stdout


def test_the_tool_stages_inputs_exposes_jupyterlab_and_collects_outputs():
    tool = ET.parse(TOOL).getroot()
    assert tool.get("tool_type") == "interactive"
    (entry,) = tool.iter("entry_point")
    assert entry.findtext("port") == "8888"
    (staged,) = list(tool.find("configfiles"))
    assert (staged.tag, staged.get("filename"), staged.get("data_style")) == ("inputs", "galaxy_inputs.json", "paths")
    (discover,) = tool.iter("discover_datasets")
    assert discover.get("directory") == "outputs"
    starter = ROOT / "galaxy" / tool.find("required_files/include").get("path")
    assert json.loads(starter.read_text())["metadata"]["kernelspec"]["name"] == "rangeo"


def test_execute_mode_runs_the_notebook_as_a_galaxy_job(tmp_path):
    command = ET.parse(TOOL).getroot().findtext("command")
    (execute,) = re.findall(r"jupyter execute [^&\n]*", command)
    job = tmp_path / "job"
    (job / "outputs").mkdir(parents=True)
    dataset = tmp_path / "dataset_1.dat"
    dataset.write_text("1 2 3\n")
    # What Galaxy writes for <inputs data_style="paths">: parameters, datasets as paths.
    staged = {"mode": {"mode_select": "execute", "notebook": str(tmp_path / "dataset_0.dat")}, "data": [str(dataset)]}
    (job / "galaxy_inputs.json").write_text(json.dumps(staged))
    shutil.copy(ROOT / "galaxy" / "rangeo_notebook.ipynb", job / "rangeo.ipynb")
    bin_dir = pathlib.Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run(["bash", "-c", execute], cwd=job, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (job / "outputs" / "datasets.txt").read_text() == f"{dataset}\n"
    cells = [c for c in json.loads((job / "rangeo.ipynb").read_text())["cells"] if c["cell_type"] == "code"]
    results = ["".join(o["data"]["text/plain"]) for c in cells for o in c["outputs"] if o["output_type"] == "execute_result"]
    assert results == [
        f"GalaxyInputs: galaxy_inputs.json\n  mode.mode_select: execute\n  mode.notebook: {tmp_path / 'dataset_0.dat'}"
        f"\n  data: {dataset}",
        "1",
    ]
