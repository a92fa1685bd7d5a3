"""Lazy data in a notebook: a chunked array shows a dask-style summary instead of
values, a computation that takes a while shows a progress bar redrawn in place, and an
interrupt stops it within a second with every variable kept."""

import time

import pytest

from conftest import TIMEOUT, evaluate, run, start_kernel


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_kernel()
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_a_chunked_array_shows_its_plan_and_computes_to_the_eager_values(kernel):
    _, kc = kernel
    reply, _ = run(
        kc,
        'let air = DataArray::new(["time", "lat"], ndarray::Array2::from_shape_fn((10, 3), |(t, y)| (t * 3 + y) as f64))?\n'
        '    .with_name("air")\n'
        '    .chunk([("time", 4)])?;',
    )
    assert reply["status"] == "ok", reply
    assert evaluate(kc, 'air.mean("time")?') == (
        "<rangeo.DataArray 'air' (lat: 3)> Size: 24B\n"
        "rangeo.lazy<mean, shape=(3,), dtype=float64, chunksize=(3,), chunks=1, tasks=1, peak=408 B>\n"
        "Dimensions without coordinates: lat"
    )
    assert evaluate(kc, 'air.mean("time")?.compute()?.to_vec::<f64>()?') == "[13.5, 14.5, 15.5]"


def test_a_long_computation_shows_progress_and_an_interrupt_stops_it_keeping_variables(kernel):
    km, kc = kernel
    reply, _ = run(
        kc,
        "let kept = 41;\n"
        "let field = rangeo::compute::Random::new(&[65536, 256, 256], &[64, 256, 256], DType::Float64,\n"
        "    rangeo::compute::Distribution::Uniform, 1);\n"
        'let big = DataArray::new(["time", "y", "x"], rangeo::compute::Lazy::from_source(std::sync::Arc::new(field)))?;',
    )
    assert reply["status"] == "ok", reply
    messages = []
    msg_id = kc.execute('let m = big.mean("time")?.compute()?;')
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            message = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if message["parent_header"].get("msg_id") == msg_id:
            messages.append(message)
    bars = [m for m in messages if m["msg_type"] in ("display_data", "update_display_data")]
    assert bars, "a progress bar within five seconds"
    text = bars[-1]["content"]["data"]["text/plain"]
    assert text.startswith("compute mean [") and "/147 " in text and "GiB read" in text, text
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    stopped = time.monotonic() - started
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted", reply["content"]
    assert stopped < 1.0, f"the computation stopped {stopped:.2f} s after the interrupt"
    assert evaluate(kc, "(kept + 1, big.shape().to_vec())") == "(42, [65536, 256, 256])"
