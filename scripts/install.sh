#!/usr/bin/env bash
# Builds the kernel and its runtime and installs the kernelspec into the Python prefix
# given (default: the project's environment, .venv). The steps scripts/setup.sh runs, and
# the ones the Dockerfile runs with the image's prefix: `scripts/install.sh /opt/conda`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

install_kernel "$@"
