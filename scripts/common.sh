# Shared by setup.sh and test.sh: everything a fresh machine needs, installed idempotently.
# Sourced, not run. Sets ROOT, VENV and KERNEL.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
KERNEL="$ROOT/target/release/rangeo-kernel"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Each step is headed with the time since the script started, so a slow one shows in the log.
step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

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

# planemo, which lints the Galaxy tool, in an environment of its own: Galaxy's packages pin
# versions that the Jupyter environment's do not take.
ensure_planemo() {
    step "planemo for the Galaxy tool ($ROOT/build/planemo)"
    [[ -x "$ROOT/build/planemo/bin/python" ]] || python3 -m venv "$ROOT/build/planemo"
    "$ROOT/build/planemo/bin/python" -m pip install -q -r "$ROOT/galaxy/requirements.txt"
}

build_kernel() {
    step "building rangeo-kernel (release)"
    cargo build --release --locked --manifest-path "$ROOT/Cargo.toml" -p rangeo-kernel
}

# Builds the runtime and installs the kernelspec into the Python prefix $1 (the project's
# environment unless given; the Docker image gives its own, outside any home volume). The
# runtime is compiled in the checkout's target directory, so the runtime's own tests (run
# with the same features) reuse its compiled dependencies instead of building them again.
install_kernelspec() {
    local prefix="${1:-$VENV}"
    step "building the runtime and installing the kernelspec into $prefix"
    "$KERNEL" install --prefix "$prefix" --cargo-target-dir "$ROOT/target"
    "$prefix/bin/jupyter" kernelspec list
}

# The kernel, its runtime and its kernelspec in the Python prefix $1 (default: the project's
# environment): what setup.sh, test.sh and the Dockerfile (through install.sh) all run.
install_kernel() {
    ensure_system_packages
    build_kernel
    install_kernelspec "$@"
}

# configurable-http-proxy, the proxy the JupyterHub test's hub starts, from npm at the
# version tests/hub/package-lock.json pins.
ensure_proxy() {
    command -v npm >/dev/null || install_debian_packages nodejs npm
    step "configurable-http-proxy for the JupyterHub test ($ROOT/build/hub)"
    mkdir -p "$ROOT/build/hub"
    cp "$ROOT/tests/hub/package.json" "$ROOT/tests/hub/package-lock.json" "$ROOT/build/hub/"
    (cd "$ROOT/build/hub" && npm ci --no-audit --no-fund --loglevel=error)
}
