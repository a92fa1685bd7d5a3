"""Kernel latency benchmark: rangeo-kernel against evcxr_jupyter 0.22, same machine, same run.

Both kernels do the same work. rangeo has its runtime preloaded; evcxr gets the same
runtime crate the way evcxr users add crates, `:dep rangeo = { path = ... }` plus
`use rangeo::prelude::*;`, as the first cells of each start. For each kernel, several
fresh starts measure:
  start-up        launch until the kernel answers kernel_info (a front end can talk to it)
  first runtime   launch until the first cell that calls the runtime has answered
  runtime median  median of repeated small cells that call into the runtime, once warm
  runtime max     the slowest of them
  trivial median  median of repeated `1 + 1` cells
  trivial max     the slowest of them
  let median      median of repeated `let v_i = i;` cells (the variable store)
  peak RSS        highest resident memory of the kernel and its processes

Run: .venv/bin/python bench/kernel.py [--starts N] [--cells N]
evcxr_jupyter is installed under build/evcxr with `cargo install --locked` if missing.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client.manager import KernelManager

ROOT = pathlib.Path(__file__).resolve().parent.parent
EVCXR = ROOT / "build" / "evcxr" / "bin" / "evcxr_jupyter"


def ensure_evcxr():
    if not EVCXR.exists():
        print("installing evcxr_jupyter 0.22.0 (one time, several minutes)...", flush=True)
        subprocess.run(
            ["cargo", "install", "evcxr_jupyter@0.22.0", "--locked", "--root", str(EVCXR.parent.parent)],
            check=True,
        )


def kernelspecs(tmp):
    """A throwaway Jupyter path with an evcxr kernelspec (rangeo's is installed in .venv)."""
    spec = pathlib.Path(tmp) / "kernels" / "evcxr-bench"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(EVCXR), "--control_file", "{connection_file}"],
                "display_name": "evcxr 0.22",
                "language": "rust",
                "interrupt_mode": "message",
            }
        )
    )
    os.environ["JUPYTER_PATH"] = tmp + os.pathsep + os.environ.get("JUPYTER_PATH", "")


def tree_peak_rss_mb(pid):
    """VmHWM of a process and its descendants, in MiB."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            status = pathlib.Path(f"/proc/{p}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
            children = pathlib.Path(f"/proc/{p}/task/{p}/children").read_text().split()
            stack.extend(int(c) for c in children)
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total / 1024


def run_cell(kc, code):
    t = time.perf_counter()
    reply = kc.execute_interactive(code, timeout=600, output_hook=lambda m: None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return time.perf_counter() - t


RUNTIME = ROOT / "runtime"
# evcxr's way of having the runtime: the same crate through `:dep`.
SETUP = {"rangeo": [], "evcxr": [f':dep rangeo = {{ path = "{RUNTIME}" }}', "use rangeo::prelude::*;"]}


def runtime_cell(i):
    """A small cell that calls into the runtime and shows a rich result."""
    return f'MimeBundle::text(format!("{{}} {i}", RANGEO_VERSION)).with("text/html", "<b>{i}</b>")'


def measure(name, spec, cells):
    km = KernelManager(kernel_name=spec)
    t = time.perf_counter()
    km.start_kernel(stderr=subprocess.DEVNULL)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=600)
    startup = time.perf_counter() - t
    for code in SETUP[name]:
        run_cell(kc, code)
    run_cell(kc, runtime_cell(0))
    first = time.perf_counter() - t
    runtime = [run_cell(kc, runtime_cell(i)) for i in range(1, cells + 1)]
    trivial = [run_cell(kc, "1 + 1") for _ in range(cells)]
    lets = [run_cell(kc, f"let v_{i} = {i};") for i in range(cells)]
    peak = tree_peak_rss_mb(km.provisioner.process.pid)
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return {
        "start-up s": startup,
        "first runtime s": first,
        "runtime median s": statistics.median(runtime),
        "runtime max s": max(runtime),
        "trivial median s": statistics.median(trivial),
        "trivial max s": max(trivial),
        "let median s": statistics.median(lets),
        "peak RSS MiB": peak,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=3, help="fresh kernel starts per kernel")
    parser.add_argument("--cells", type=int, default=20, help="repeated cells per start")
    args = parser.parse_args()
    ensure_evcxr()
    with tempfile.TemporaryDirectory() as tmp:
        kernelspecs(tmp)
        os.environ.setdefault("RANGEO_DATA_DIR", tmp)
        results = {"rangeo": [], "evcxr": []}
        for i in range(args.starts):  # interleaved, so both see the same machine state
            for name, spec in (("rangeo", "rangeo"), ("evcxr", "evcxr-bench")):
                results[name].append(measure(name, spec, args.cells))
                print(f"start {i + 1}/{args.starts} {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in results[name][-1].items()), flush=True)
    metrics = list(results["rangeo"][0])
    print(f"\nmedians over {args.starts} starts, {args.cells} cells each, on {os.cpu_count()} cores")
    print(f"{'metric':<18}{'rangeo':>12}{'evcxr 0.22':>12}{'rangeo/evcxr':>14}")
    for m in metrics:
        r = statistics.median(x[m] for x in results["rangeo"])
        e = statistics.median(x[m] for x in results["evcxr"])
        print(f"{m:<18}{r:>12.3f}{e:>12.3f}{r / e:>14.2f}")


if __name__ == "__main__":
    sys.exit(main())
