# Shared by setup.sh and test.sh: everything a fresh machine needs, installed idempotently.
# Sourced, not run. Sets ROOT, VENV and KERNEL.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
KERNEL="$ROOT/target/release/rangeo-kernel"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

install_debian_packages() {
    if (($#)); then
        step "installing Debian packages: $*"
        local sudo=""
        [[ $(id -u) == 0 ]] || sudo="sudo"
        $sudo apt-get update -q
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@"
    fi
}

# The browser the tests look at reprs and plots with (driven by Playwright, which is told
# to use it instead of downloading its own).
ensure_browser() {
    command -v chromium >/dev/null || install_debian_packages chromium
}

ensure_system_packages() {
    # A C/C++ compiler builds the vendored libzmq and the codecs; netCDF files are read
    # with Unidata's netCDF-C; everything else comes from crates.io.
    local missing=()
    command -v cc >/dev/null || missing+=(gcc)
    command -v c++ >/dev/null || missing+=(g++)
    command -v make >/dev/null || missing+=(make)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    [[ -e /usr/include/netcdf.h ]] || missing+=(libnetcdf-dev)
    # zfp (a C library that zarrs' zfp codecs build with CMake, bound through libclang).
    command -v cmake >/dev/null || missing+=(cmake)
    compgen -G "/usr/lib/llvm-*/lib/libclang.so" >/dev/null || missing+=(libclang-dev)
    python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
    install_debian_packages "${missing[@]}"
    command -v cargo >/dev/null || {
        echo "cargo is not on PATH: install the Rust toolchain (https://rustup.rs) and retry" >&2
        exit 1
    }
}

ensure_venv() {
    step "Python environment with the Jupyter packages ($VENV)"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r "$ROOT/tests/requirements.txt"
}

build_kernel() {
    step "building rangeo-kernel (release)"
    cargo build --release --locked --manifest-path "$ROOT/Cargo.toml" -p rangeo-kernel
}

install_kernelspec() {
    step "building the runtime and installing the kernelspec into $VENV"
    VIRTUAL_ENV="$VENV" "$KERNEL" install --sys-prefix
    "$VENV/bin/jupyter" kernelspec list
}
