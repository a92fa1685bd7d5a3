"""JupyterLab in a real browser. A JupyterLab server started here on 127.0.0.1 (with the
kernelspec the test command installs, and settings of its own) opens the dask example
notebook in Debian's Chromium, driven by Playwright; the test runs every cell from the
Run menu, as a user would, then looks at what the page shows: the lazy arrays' HTML reprs
with their chunk diagrams, a progress bar ended full, and the plot's image. Screenshots go
to build/screenshots (kept by CI as artefacts).
"""

import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import free_port, shot

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "dask-accelerates-numpy.ipynb"
# The whole notebook: building the plan is quick, the sum reads 3.2 GB of random chunks.
RUN_TIMEOUT_MS = 600_000


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebook: (base URL, token)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, root)
    state = tmp_path_factory.mktemp("lab-state")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(state / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
    )
    # No "get notified about Jupyter news?" prompt over the notebook.
    settings = state / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    token, port = secrets.token_hex(16), free_port()
    # CI runs as root in a container; JupyterLab refuses that unless told.
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    log = open(state / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", *root_flag],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/kernelspecs?token={token}", timeout=5) as reply:
                specs = json.load(reply)["kernelspecs"]
            break
        except OSError:
            assert server.poll() is None, (state / "lab.log").read_text()
            assert time.monotonic() < deadline, "JupyterLab did not answer within 120 s"
            time.sleep(0.5)
    assert "rangeo" in specs, sorted(specs)
    yield url, token
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_jupyterlab_runs_the_dask_notebook_and_shows_reprs_a_progress_bar_and_a_plot(lab, browser):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/{NOTEBOOK.name}?token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=120_000)
    # The kernel the notebook names starts with it.
    page.wait_for_selector(".jp-NotebookPanel-toolbar >> text=Rust (rangeo)", timeout=120_000)
    shot(page, "jupyterlab_opened.png")

    # Run > Run All Cells.
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    code_cells = sum(c["cell_type"] == "code" for c in json.loads(NOTEBOOK.read_text())["cells"])
    page.wait_for_function(
        """n => {
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
            return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=code_cells,
        timeout=RUN_TIMEOUT_MS,
    )
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    assert [p.strip() for p in prompts] == [f"[{i}]:" for i in range(1, code_cells + 1)]
    # No errors. The only text on stderr may be the kernel's note that a cell is taking
    # more than a second to compile (on a busy machine).
    stderr = page.locator("[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    assert all(text.strip() == "compiling the cell…" for text in stderr), stderr

    # The lazy array's HTML repr: styled (the text fallback hidden), its chunk block and diagram.
    lazy = page.locator(".jp-OutputArea-output .rg-repr").first
    lazy.scroll_into_view_if_needed()
    assert lazy.locator(".rg-wrap").is_visible() and not lazy.locator(".rg-fallback").is_visible()
    assert "400 chunks" in lazy.locator(".rg-lazy-table").inner_text()
    box = lazy.locator("svg.rg-chunk-diagram").bounding_box()
    assert box["width"] > 100 and box["height"] > 100, box
    # JupyterLab's own rules for rendered HTML leave the repr's layout alone: the data
    # toggle's icon keeps its text size and the sections start under the header.
    icon = lazy.locator(".rg-array svg.rg-icon").bounding_box()
    assert icon["height"] < 20, f"the data icon is {icon['height']} px tall"
    header, block = lazy.locator(".rg-header").bounding_box(), lazy.locator(".rg-lazy").bounding_box()
    assert abs(block["x"] - header["x"]) < 2 and block["y"] - (header["y"] + header["height"]) < 30, (header, block)
    shot(page, "jupyterlab_lazy_repr.png")

    # The progress bar of the sum, ended full.
    bar = page.locator(".jp-CodeCell").nth(2).locator(".jp-OutputArea-output .rangeo-progress")
    assert bar.count() == 1
    bar.scroll_into_view_if_needed()
    progress = bar.locator("progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") != "0"
    assert bar.is_visible()
    shot(page, "jupyterlab_progress.png")

    # The plot: a PNG the browser decoded at its size.
    image = page.locator(".jp-RenderedImage img")
    assert image.count() == 1
    image.scroll_into_view_if_needed()
    size = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size == [True, 640, 480], size
    shot(page, "jupyterlab_plot.png")
    page.close()
