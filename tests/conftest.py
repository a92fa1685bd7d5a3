"""Shared set-up for the kernel tests.

The test command (scripts/test.sh) builds the kernel and installs its kernelspec into the
project's virtual environment; these tests drive it with real Jupyter clients.
"""

import os
import pathlib
import shutil
import socket
import tempfile

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

# Every kernel started by the tests keeps its history in a fresh directory, so that runs
# do not see each other's (or the user's) history.
os.environ.setdefault("RANGEO_DATA_DIR", tempfile.mkdtemp(prefix="rangeo-test-data-"))

KERNEL_NAME = os.environ.get("RANGEO_KERNEL_NAME", "rangeo")


def pytest_configure(config):
    specs = KernelSpecManager().find_kernel_specs()
    if KERNEL_NAME not in specs:
        raise pytest.UsageError(
            f"kernelspec {KERNEL_NAME!r} is not installed (found {sorted(specs)}); "
            "run scripts/test.sh, which builds and installs it"
        )


# Cells can wait for the evaluation context, rust-analyzer or a `:dep` build.
TIMEOUT = 600


def start_kernel(**launch):
    """Starts the kernel and a client connected to it; `launch` goes to `start_kernel`."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    km.start_kernel(**launch)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=TIMEOUT)
    return km, kc


@pytest.fixture(scope="module")
def kc():
    """A kernel with default settings and a client connected to it, shared by a module's tests."""
    km, client = start_kernel()
    yield client
    client.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code, **kwargs):
    """Executes `code`; returns (reply content, every iopub message of the request)."""
    messages = []
    reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=messages.append, **kwargs)
    return reply["content"], messages


def result_text(messages):
    """The text/plain of the one execute_result among `messages`."""
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    return result["content"]["data"]["text/plain"]


def evaluate(kc, code):
    """Executes `code`, which must succeed; returns its result's text/plain."""
    reply, messages = run(kc, code)
    assert reply["status"] == "ok", reply
    return result_text(messages)


SHOTS = pathlib.Path(__file__).resolve().parent.parent / "build" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (scripts/test.sh installs it), driven by Playwright."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Chromium is not installed: scripts/test.sh installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


def shot(page, name):
    """Saves a screenshot of the whole page to build/screenshots (CI keeps them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def free_port():
    """A port on 127.0.0.1 that nothing listens on, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
