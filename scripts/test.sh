#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and doc tests, and the Python
# suites that drive the installed kernel with real Jupyter clients.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_system_packages
ensure_browser
ensure_venv
ensure_planemo
ensure_proxy
install_kernel

step "cargo fmt --check"
cargo fmt --all --check --manifest-path "$ROOT/Cargo.toml"

step "cargo clippy"
cargo clippy --release --locked --workspace --all-targets --manifest-path "$ROOT/Cargo.toml" -- -D warnings

step "reference results, fresh Zarr stores (xarray, zarr-python) and STAC items with COGs (rasterio, pystac)"
"$VENV/bin/python" "$ROOT/tests/reference/make_arrays.py"
"$VENV/bin/python" "$ROOT/tests/reference/make_zarr.py"
"$VENV/bin/python" "$ROOT/tests/reference/make_stack.py"
if [ -d "$ROOT/../shared/data" ]; then
    export RANGEO_REQUIRE_SHARED=1
fi
if [ -d "$ROOT/../shared/data/real" ]; then
    "$VENV/bin/python" "$ROOT/tests/reference/make_air.py" "$ROOT/../shared/data/real/air_temperature.zarr"
    export RANGEO_REQUIRE_AIR=1
fi

# One package at a time: each then builds its dependencies with the features the kernel's
# build and the runtime's install already compiled them with.
for package in rangeo-protocol rangeo-kernel rangeo; do
    step "cargo test -p $package (unit, integration and doc tests, release profile to share the build)"
    cargo test --release --locked --manifest-path "$ROOT/Cargo.toml" -p "$package"
done

step "kernel tests with Jupyter clients"
mkdir -p "$ROOT/build/test-reports"
cd "$ROOT"
"$VENV/bin/python" -m pytest tests -v --timeout 900 --junitxml "$ROOT/build/test-reports/kernel.xml"
