"""Labeled arrays in a notebook: cells build, select and reduce arrays through the
preloaded runtime, see xarray's text repr as the result, and get a clear error (with
every variable kept) for a bad label or dimension."""

import pytest

from conftest import evaluate, run


@pytest.fixture(scope="module")
def kernel(kc):
    return kc


def error_of(reply, messages):
    assert reply["status"] == "error", reply
    (error,) = [m for m in messages if m["msg_type"] == "error"]
    return error["content"]["evalue"] + "\n" + "\n".join(error["content"]["traceback"])


def test_a_data_array_shows_xarrays_repr(kernel):
    reply, _ = run(
        kernel,
        """let air = DataArray::new(["lat", "lon"], ndarray::arr2(&[[270.0, 270.25], [271.5, f64::NAN]]))?
    .with_name("air")
    .assign_coords("lat", vec![75.0, 72.5])?
    .assign_coords("lon", vec![200.0, 202.5])?
    .assign_attrs([("units", "degK")]);""",
    )
    assert reply["status"] == "ok", reply
    assert evaluate(kernel, "air.clone()") == (
        "<rangeo.DataArray 'air' (lat: 2, lon: 2)> Size: 32B\n"
        "array([[270.  , 270.25],\n"
        "       [271.5 ,    nan]])\n"
        "Coordinates:\n"
        "  * lat      (lat) float64 16B 75.0 72.5\n"
        "  * lon      (lon) float64 16B 200.0 202.5\n"
        "Attributes:\n"
        "    units:    degK"
    )
    assert evaluate(kernel, 'air.mean("lon")?.to_vec::<f64>()?') == "[270.125, 271.5]"


def test_a_bad_label_says_which_and_keeps_the_variables(kernel):
    reply, messages = run(kernel, 'let north = air.sel("lat", 80.0)?;')
    message = error_of(reply, messages)
    assert "80.0 is not in the index of `lat`" in message, message
    assert "2 float labels from 75.0 to 72.5, descending" in message, message
    reply, messages = run(kernel, 'air.sel("time", 0)?')
    assert "no dimension `time`; the dimensions are lat, lon" in error_of(reply, messages)
    assert evaluate(kernel, 'air.sel_with("lat", 74.0, Method::Nearest)?.to_vec::<f64>()?') == "[270.0, 270.25]"


def test_an_operator_that_cannot_align_fails_the_cell_with_the_reason(kernel):
    reply, messages = run(kernel, 'let wrong = DataArray::new(["lat"], vec![1.0, 2.0, 3.0])?; &air + &wrong')
    message = error_of(reply, messages)
    assert "cannot align along dimension `lat`: it has 2 labels but size 3" in message, message
    assert "at cell line 1" in message, "the panic points at the cell's operator, not the runtime"
    assert evaluate(kernel, "air.dims().len()") == "2"
