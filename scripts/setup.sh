#!/usr/bin/env bash
# Sets a fresh machine up and runs the main job: builds the kernel, installs its
# kernelspec into a project-local Python environment with JupyterLab, and executes the
# demo notebook headless.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_system_packages
ensure_venv
install_kernel

step "executing the demo notebook headless"
OUT="$ROOT/build/notebooks"
mkdir -p "$OUT"
cp "$ROOT/notebooks/getting-started.ipynb" "$OUT/"
"$VENV/bin/jupyter" execute --kernel_name=rangeo --inplace "$OUT/getting-started.ipynb"

cat <<MSG

Done. The executed notebook is $OUT/getting-started.ipynb
Open it, or any notebook, in JupyterLab with:
    $VENV/bin/jupyter lab --ip 127.0.0.1 $ROOT/notebooks
MSG
