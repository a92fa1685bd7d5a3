"""Shared set-up for the kernel tests.

The test command (scripts/test.sh) builds the kernel and installs its kernelspec into the
project's virtual environment; these tests drive it with real Jupyter clients.
"""

import os
import tempfile

import pytest
from jupyter_client.kernelspec import KernelSpecManager

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
