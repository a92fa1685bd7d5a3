"""Expected results for the runtime's labeled-array tests, computed by xarray itself.

The Rust tests in runtime/tests/ read what this writes (build/reference/arrays.json) and
compare rangeo against it. Each case names its input arrays, one operation in a small JSON
vocabulary (the same one runtime/tests/xarray_reference.rs applies with rangeo) and either
xarray's result or the fact that xarray raised. Floats go through JSON exactly (Python
writes the shortest repr that round-trips); NaN is written as null; datetimes as int64
nanoseconds; cftime dates as int64 microseconds since 1970-01-01 of their calendar, as
cftime itself counts them (dtype "cftime:<calendar>").

Run: .venv/bin/python tests/reference/make_arrays.py [OUT]  (scripts/test.sh does).
"""

import json
import math
import pathlib
import sys
import warnings

import cftime
import numpy as np
import xarray as xr

ROOT = pathlib.Path(__file__).resolve().parents[2]


def encode(array):
    values = np.asarray(array)
    dtype = str(values.dtype)
    if values.dtype.kind == "M":
        values = values.astype("datetime64[ns]").astype("int64")
        dtype = "datetime64[ns]"
    elif values.dtype.kind == "m":
        values = values.astype("timedelta64[ns]").astype("int64")
        dtype = "timedelta64[ns]"
    elif values.dtype.kind == "O" and values.size and isinstance(values.flat[0], cftime.datetime):
        calendar = values.flat[0].calendar
        micros = cftime.date2num(values.ravel(), "microseconds since 1970-01-01", calendar)
        values = np.asarray(micros, dtype="float64").round().astype("int64").reshape(values.shape)
        dtype = f"cftime:{calendar}"
    elif values.dtype.kind == "S":  # each element as its byte values
        return {"dtype": "bytes", "shape": list(values.shape), "data": [list(v) for v in values.ravel()]}
    elif values.dtype.kind in "UO":
        values = np.asarray([str(v) for v in values.ravel()]).reshape(values.shape)
        dtype = "str"
    flat = [None if isinstance(v, float) and math.isnan(v) else v for v in values.ravel().tolist()]
    return {"dtype": dtype, "shape": list(values.shape), "data": flat}


def data_array(da):
    return {
        "name": da.name,
        "dims": list(da.dims),
        **encode(da.values),
        "coords": {name: {"dims": list(c.dims), **encode(c.values)} for name, c in da.coords.items()},
        "attrs": {k: v for k, v in da.attrs.items()},
    }


# Inputs ---------------------------------------------------------------------------------

def grid():
    """A (lat, lon) grid with a descending latitude, a NaN, and units."""
    values = np.arange(20, dtype="float64").reshape(4, 5) / 4 + 270
    values[1, 2] = np.nan
    return xr.DataArray(
        values,
        dims=("lat", "lon"),
        coords={"lat": [75.0, 72.5, 70.0, 67.5], "lon": [200.0, 202.5, 205.0, 207.5, 210.0]},
        name="air",
        attrs={"units": "degK", "long_name": "air temperature"},
    )


def series():
    """Six-hourly times over two months, with a NaN."""
    time = np.arange("2013-04-29T00", "2013-05-03T00", np.timedelta64(6, "h"), dtype="datetime64[ns]")
    values = np.sin(np.arange(time.size) / 3.0) * 10 + 280
    values[5] = np.nan
    return xr.DataArray(values, dims="time", coords={"time": time}, name="air")


def stations():
    return xr.DataArray(
        np.array([3, 1, 4, 1, 5], dtype="int32"),
        dims="station",
        coords={"station": ["d", "a", "c", "b", "e"], "x": ("station", np.arange(5) * 10)},
        name="count",
    )


def left():
    return xr.DataArray([0.0, 1.0, 2.0, 3.0], dims="x", coords={"x": [1, 2, 3, 4]}, name="t", attrs={"units": "K", "a": 1})


def right():
    return xr.DataArray([10.0, 20.0, 30.0], dims="x", coords={"x": [2, 3, 5]}, name="t", attrs={"units": "K", "b": 2})


def disjoint():
    return xr.DataArray([7.0, 8.0], dims="x", coords={"x": [8, 9]})


def descending():
    return xr.DataArray([1.0, 2.0, 3.0], dims="x", coords={"x": [3, 2, 1]}, name="down")


def per_time():
    return xr.DataArray([1.0, -1.0, 0.5], dims="time", coords={"time": [0, 1, 2]}, name="w")


def cube():
    values = np.arange(24, dtype="float32").reshape(3, 2, 4) - 11.5
    values[0, 1, 2] = np.nan
    return xr.DataArray(
        values,
        dims=("time", "lat", "lon"),
        coords={"time": [0, 1, 2], "lat": [10.0, 20.0], "lon": [0.0, 1.0, 2.0, 3.0]},
        name="anom",
        attrs={"units": "K"},
    )


def field():
    """Six-hourly (time, x) values across a month and a season boundary, with NaNs."""
    time = np.arange("2013-02-25T00", "2013-03-07T00", np.timedelta64(6, "h"), dtype="datetime64[ns]")
    values = np.cos(np.arange(time.size * 3).reshape(-1, 3) / 5.0) * 4 + 275
    values[3, 1] = values[17, 0] = np.nan
    return xr.DataArray(
        values, dims=("time", "x"), coords={"time": time, "x": [10, 20, 30]}, name="air", attrs={"units": "K"}
    )


def model():
    """Daily (time, x) model output on the noleap calendar, across its 28-day February."""
    time = xr.date_range("2000-02-20", "2000-03-10", freq="D", calendar="noleap", use_cftime=True)
    values = np.sin(np.arange(time.size * 2).reshape(-1, 2) / 4.0) * 3 + 280
    values[4, 0] = np.nan
    return xr.DataArray(values, dims=("time", "x"), coords={"time": time, "x": [1, 2]}, name="tas", attrs={"units": "K"})


def model360():
    """Twelve-hourly values on the 360_day calendar, whose February has 30 days."""
    time = xr.date_range("2000-02-26", "2000-03-04T12", freq="12h", calendar="360_day", use_cftime=True)
    values = np.cos(np.arange(time.size) / 3.0) * 2 + 1
    return xr.DataArray(values, dims="time", coords={"time": time}, name="pr")


INPUTS = {
    "model": model,
    "model360": model360,
    "field": field,
    "grid": grid,
    "series": series,
    "stations": stations,
    "left": left,
    "right": right,
    "disjoint": disjoint,
    "descending": descending,
    "per_time": per_time,
    "cube": cube,
}


# Operations: the same vocabulary as the Rust side -----------------------------------------

def operand(inputs, value):
    return inputs[value["array"]] if isinstance(value, dict) else value


def apply(inputs, target, op):
    (kind, args), = op.items()
    da = inputs[target]
    if kind == "isel":
        if "slice" in args:
            start, stop, step = args["slice"]
            return da.isel({args["dim"]: slice(start, stop, step)})
        return da.isel({args["dim"]: args.get("index", args.get("list"))})
    if kind == "sel":
        if "range" in args:
            selector = slice(*args["range"])
        else:
            selector = args.get("label", args.get("list"))
            if isinstance(selector, dict):
                selector = cftime.datetime.strptime(selector["date"], "%Y-%m-%dT%H:%M:%S", calendar=selector["calendar"])
        return da.sel({args["dim"]: selector}, method=args.get("method"), tolerance=args.get("tolerance"))
    if kind == "binary":
        other = operand(inputs, args["other"])
        a, b = (other, da) if args.get("reversed") else (da, other)
        return {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "%": lambda: a % b, ">": lambda: a > b, "<=": lambda: a <= b, "==": lambda: a == b,
        }[args["op"]]()
    if kind == "align":
        return list(xr.align(da, inputs[args["other"]], join=args["join"]))
    if kind == "broadcast":
        return list(xr.broadcast(da, inputs[args["other"]]))
    if kind == "reduce":
        how, dims = args["how"], args.get("dims")
        kwargs = {"dim": dims}
        if "skipna" in args:
            kwargs["skipna"] = args["skipna"]
        if "ddof" in args:
            kwargs["ddof"] = args["ddof"]
        if how == "quantile":
            return da.quantile(args["q"], **kwargs).drop_vars("quantile")
        if how in ("argmin", "argmax"):
            return getattr(da, how)(dim=dims[0], skipna=args.get("skipna", True))
        return getattr(da, how)(**kwargs)
    if kind == "cumsum":
        return da.cumsum(args["dim"])
    if kind == "unary":
        return {
            "abs": abs, "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "sin": np.sin,
            "cos": np.cos, "radians": np.deg2rad, "neg": lambda x: -x,
        }[args](da)
    if kind == "where":
        cond = da > args["gt"]
        return da.where(cond) if args.get("other") is None else da.where(cond, args["other"])
    if kind == "fillna":
        return da.fillna(args)
    if kind == "dropna":
        return da.dropna(args["dim"], how=args["how"])
    if kind == "clip":
        return da.clip(*args)
    if kind == "isnull":
        return da.isnull()
    if kind == "groupby":
        grouped = da.groupby(args["key"])
        if args["how"] == "anomaly":
            return grouped - grouped.mean()
        return getattr(grouped, args["how"])()
    if kind == "groupby_bins":
        return getattr(da.groupby_bins(args["coord"], args["edges"]), args["how"])()
    if kind == "resample":
        return getattr(da.resample(time=args["freq"]), args["how"])()
    if kind == "rolling":
        rolling = da.rolling({args["dim"]: args["window"]}, center=args["center"], min_periods=args.get("min_periods"))
        return getattr(rolling, args["how"])()
    if kind == "coarsen":
        return getattr(da.coarsen({args["dim"]: args["window"]}, boundary=args["boundary"]), args["how"])()
    if kind == "dt":
        return getattr(da.time.dt, args)
    if kind == "expand_dims":
        return da.expand_dims(args)
    if kind == "squeeze":
        return da.isel({args: slice(0, 1)}).squeeze(args)
    if kind == "rename":
        return da.rename(args)
    if kind == "swap_dims":
        return da.swap_dims({args[0]: args[1]})
    if kind == "drop_vars":
        return da.drop_vars(args)
    if kind == "shift":
        return da.shift({args["dim"]: args["by"]})
    if kind == "roll":
        return da.roll({args["dim"]: args["by"]})
    if kind == "diff":
        return da.diff(args)
    if kind == "interp":
        targets = np.array(args["at"], dtype="datetime64[ns]" if args.get("time") else "float64")
        return da.interp({args["dim"]: targets}, method=args["method"])
    if kind == "concat":
        dim = args["dim"]
        if args["new"]:
            return xr.concat([da, da * 2], dim=dim)
        return xr.concat([da.isel({dim: slice(0, 2)}), da.isel({dim: slice(3, None)})], dim=dim)
    raise ValueError(f"unknown operation {kind}")


def case(name, target, op, **extra):
    return {"name": name, "target": target, "op": op, **extra}


def cases():
    # Positions.
    for label, (dim, sel) in {
        "index": ("lat", 1), "negative index": ("lon", -1), "list": ("lon", [3, 0, 0]),
    }.items():
        key = "list" if isinstance(sel, list) else "index"
        yield case(f"isel {label}", "grid", {"isel": {"dim": dim, key: sel}})
    for label, (dim, start, stop, step) in {
        "slice": ("lon", 1, 3, 1), "open slice": ("lat", None, 2, 1), "negative step": ("lon", None, None, -2),
        "bounded negative step": ("lon", 3, 0, -1), "clamped slice": ("lat", -10, 10, 1),
    }.items():
        yield case(f"isel {label}", "grid", {"isel": {"dim": dim, "slice": [start, stop, step]}})
    yield case("isel out of bounds", "grid", {"isel": {"dim": "lat", "index": 4}})
    yield case("isel unknown dim", "grid", {"isel": {"dim": "time", "index": 0}})

    # Labels: descending floats, integers, strings, datetimes.
    yield case("sel scalar on a descending index", "grid", {"sel": {"dim": "lat", "label": 72.5}})
    yield case("sel range on a descending index", "grid", {"sel": {"dim": "lat", "range": [73.0, 68.0]}})
    yield case("sel reversed range on a descending index is empty", "grid", {"sel": {"dim": "lat", "range": [68.0, 73.0]}})
    yield case("sel open range", "grid", {"sel": {"dim": "lon", "range": [205.0, None]}})
    yield case("sel list", "grid", {"sel": {"dim": "lon", "list": [210.0, 200.0]}})
    for method in ("nearest", "pad", "backfill"):
        yield case(f"sel {method} descending", "grid", {"sel": {"dim": "lat", "label": 71.0, "method": method}})
        yield case(f"sel {method} ascending", "grid", {"sel": {"dim": "lon", "label": 203.0, "method": method}})
    yield case("sel nearest tie ascending", "grid", {"sel": {"dim": "lon", "label": 201.25, "method": "nearest"}})
    yield case("sel nearest tie descending", "grid", {"sel": {"dim": "lat", "label": 73.75, "method": "nearest"}})
    yield case("sel nearest within tolerance", "grid", {"sel": {"dim": "lat", "label": 71.0, "method": "nearest", "tolerance": 1.5}})
    yield case("sel nearest beyond tolerance", "grid", {"sel": {"dim": "lat", "label": 71.0, "method": "nearest", "tolerance": 0.5}})
    yield case("sel nearest list", "grid", {"sel": {"dim": "lon", "list": [199.0, 206.0], "method": "nearest"}})
    yield case("sel missing label", "grid", {"sel": {"dim": "lat", "label": 71.0}})
    yield case("sel pad before the first label", "grid", {"sel": {"dim": "lon", "label": 100.0, "method": "pad"}})
    yield case("sel string label", "stations", {"sel": {"dim": "station", "label": "c"}})
    yield case("sel string list", "stations", {"sel": {"dim": "station", "list": ["e", "d"]}})
    yield case("sel string range on an unsorted index", "stations", {"sel": {"dim": "station", "range": ["a", "b"]}})
    yield case("sel missing string", "stations", {"sel": {"dim": "station", "label": "z"}})
    yield case("sel datetime exact", "series", {"sel": {"dim": "time", "label": "2013-05-01T06:00"}})
    yield case("sel partial date: a day", "series", {"sel": {"dim": "time", "label": "2013-05-01"}})
    yield case("sel partial date: a month", "series", {"sel": {"dim": "time", "label": "2013-04"}})
    yield case("sel partial date range", "series", {"sel": {"dim": "time", "range": ["2013-04-30T12", "2013-05-01"]}})
    yield case("sel datetime nearest", "series", {"sel": {"dim": "time", "label": "2013-05-01T04:00", "method": "nearest"}})
    yield case("sel partial date outside", "series", {"sel": {"dim": "time", "label": "2013-06"}})

    # Arithmetic: alignment, broadcasting, scalars, dtypes, attrs and names.
    yield case("add with overlapping labels", "left", {"binary": {"op": "+", "other": {"array": "right"}}})
    yield case("subtract disjoint labels", "left", {"binary": {"op": "-", "other": {"array": "disjoint"}}})
    yield case("multiply a descending index", "left", {"binary": {"op": "*", "other": {"array": "descending"}}})
    yield case("broadcast by dimension name", "cube", {"binary": {"op": "-", "other": {"array": "grid"}}})
    yield case("broadcast a new dimension", "per_time", {"binary": {"op": "*", "other": {"array": "left"}}})
    yield case("float32 times a scalar stays float32", "cube", {"binary": {"op": "*", "other": 2.5}})
    yield case("scalar minus array", "grid", {"binary": {"op": "-", "other": 273.15, "reversed": True}})
    yield case("integer remainder", "stations", {"binary": {"op": "%", "other": 3}})
    yield case("integer true division", "stations", {"binary": {"op": "/", "other": 2}})
    yield case("integer plus float", "stations", {"binary": {"op": "+", "other": 0.5}})
    yield case("compare with a scalar", "grid", {"binary": {"op": ">", "other": 272.0}})
    yield case("compare two arrays", "left", {"binary": {"op": "<=", "other": {"array": "right"}}})
    yield case("equality with NaN", "grid", {"binary": {"op": "==", "other": {"array": "grid"}}})
    for join in ("inner", "outer", "left", "right", "exact"):
        yield case(f"align {join}", "left", {"align": {"other": "right", "join": join}})
    yield case("align outer with a descending index", "descending", {"align": {"other": "right", "join": "outer"}})
    yield case("align inner with a descending index", "descending", {"align": {"other": "left", "join": "inner"}})
    yield case("broadcast disjoint dims", "grid", {"broadcast": {"other": "per_time"}})
    yield case("broadcast with outer alignment", "left", {"broadcast": {"other": "right"}})

    # Reductions.
    reductions = ["mean", "sum", "min", "max", "std", "var", "median", "prod", "count", "any", "all"]
    for how in reductions:
        yield case(f"{how} over one dim", "grid", {"reduce": {"how": how, "dims": ["lon"]}})
        yield case(f"{how} over all dims", "cube", {"reduce": {"how": how, "dims": None}})
    for how in ("mean", "sum", "std", "max"):
        yield case(f"{how} over two dims of float32", "cube", {"reduce": {"how": how, "dims": ["lat", "lon"]}})
        yield case(f"{how} without skipping NaN", "grid", {"reduce": {"how": how, "dims": ["lon"], "skipna": False}})
    yield case("var with ddof 1", "grid", {"reduce": {"how": "var", "dims": ["lat"], "ddof": 1}})
    yield case("std with ddof 1", "cube", {"reduce": {"how": "std", "dims": ["time"], "ddof": 1}})
    yield case("quantile 0.25", "grid", {"reduce": {"how": "quantile", "dims": ["lon"], "q": 0.25}})
    yield case("quantile 0.9 of all", "cube", {"reduce": {"how": "quantile", "dims": None, "q": 0.9}})
    yield case("argmin", "grid", {"reduce": {"how": "argmin", "dims": ["lon"]}})
    yield case("argmax", "cube", {"reduce": {"how": "argmax", "dims": ["time"]}})
    yield case("integer sum", "stations", {"reduce": {"how": "sum", "dims": None}})
    yield case("integer mean", "stations", {"reduce": {"how": "mean", "dims": ["station"]}})
    yield case("reduce over an unknown dim", "grid", {"reduce": {"how": "mean", "dims": ["time"]}})
    yield case("cumsum", "grid", {"cumsum": {"dim": "lon"}})
    yield case("datetime min", "series", {"reduce": {"how": "min", "dims": None}})

    # Math and missing values.
    for fn in ("abs", "sqrt", "exp", "log", "sin", "cos", "radians", "neg"):
        yield case(f"{fn}", "cube", {"unary": fn})
    yield case("abs of integers", "stations", {"unary": "abs"})
    yield case("where", "grid", {"where": {"gt": 272.0}})
    yield case("where with other", "stations", {"where": {"gt": 2, "other": -1}})
    yield case("fillna", "grid", {"fillna": 0.0})
    yield case("dropna any", "grid", {"dropna": {"dim": "lat", "how": "any"}})
    yield case("dropna all", "grid", {"dropna": {"dim": "lon", "how": "all"}})
    yield case("clip", "grid", {"clip": [271.0, 273.5]})
    yield case("isnull", "cube", {"isnull": True})

    # Grouping and windows.
    for key in ("time.day", "time.month", "time.season", "time.hour", "time.dayofyear", "x"):
        yield case(f"groupby {key} mean", "field", {"groupby": {"key": key, "how": "mean"}})
    for how in ("sum", "max", "std", "count", "median"):
        yield case(f"groupby month {how}", "field", {"groupby": {"key": "time.month", "how": how}})
    yield case("anomaly against the daily climatology", "field", {"groupby": {"key": "time.day", "how": "anomaly"}})
    yield case("anomaly against the seasonal climatology", "field", {"groupby": {"key": "time.season", "how": "anomaly"}})
    yield case("groupby_bins", "grid", {"groupby_bins": {"coord": "lon", "edges": [195.0, 201.0, 206.0, 215.0], "how": "mean"}})
    for freq in ("1D", "12h", "MS", "ME", "QS-DEC", "YE", "2D"):
        yield case(f"resample {freq}", "field", {"resample": {"freq": freq, "how": "mean"}})
    yield case("resample D max", "field", {"resample": {"freq": "D", "how": "max"}})
    yield case("resample with empty periods", "series", {"resample": {"freq": "3h", "how": "mean"}})
    yield case("resample count with empty periods", "series", {"resample": {"freq": "3h", "how": "count"}})
    for window, center, min_periods in ((3, False, None), (3, True, None), (4, True, None), (5, False, 2), (4, False, 1)):
        yield case(
            f"rolling {window} center={center} min_periods={min_periods}", "field",
            {"rolling": {"dim": "time", "window": window, "center": center, "min_periods": min_periods, "how": "mean"}},
        )
    for how in ("sum", "max", "std"):
        yield case(f"rolling {how}", "field", {"rolling": {"dim": "time", "window": 3, "center": False, "how": how}})
    yield case("rolling float32", "cube", {"rolling": {"dim": "lon", "window": 2, "center": False, "how": "mean"}})
    yield case("coarsen trim", "field", {"coarsen": {"dim": "time", "window": 7, "boundary": "trim", "how": "mean"}})
    yield case("coarsen pad", "field", {"coarsen": {"dim": "time", "window": 7, "boundary": "pad", "how": "max"}})
    yield case("coarsen exact", "field", {"coarsen": {"dim": "time", "window": 4, "boundary": "exact", "how": "sum"}})
    yield case("coarsen exact that does not fit", "field", {"coarsen": {"dim": "time", "window": 7, "boundary": "exact", "how": "mean"}})
    for component in ("year", "month", "day", "hour", "dayofyear", "dayofweek", "season"):
        yield case(f"dt.{component}", "field", {"dt": component})

    # Model calendars (cftime in xarray).
    yield case("noleap sel a day", "model", {"sel": {"dim": "time", "label": "2000-02-28"}})
    yield case("noleap sel a month", "model", {"sel": {"dim": "time", "label": "2000-03"}})
    yield case("noleap sel a range", "model", {"sel": {"dim": "time", "range": ["2000-02-27", "2000-03-02"]}})
    noon = {"date": "2000-02-28T13:00:00", "calendar": "noleap"}
    yield case("noleap sel nearest", "model", {"sel": {"dim": "time", "label": noon, "method": "nearest"}})
    yield case("noleap has no 29 February", "model", {"sel": {"dim": "time", "label": "2000-02-29"}})
    yield case("360_day sel 30 February", "model360", {"sel": {"dim": "time", "label": "2000-02-30"}})
    yield case("360_day sel a month", "model360", {"sel": {"dim": "time", "label": "2000-02"}})
    for component in ("year", "month", "day", "hour", "dayofyear", "dayofweek", "days_in_month", "season"):
        yield case(f"noleap dt.{component}", "model", {"dt": component})
        yield case(f"360_day dt.{component}", "model360", {"dt": component})
    yield case("noleap groupby month mean", "model", {"groupby": {"key": "time.month", "how": "mean"}})
    yield case("noleap anomaly", "model", {"groupby": {"key": "time.month", "how": "anomaly"}})
    yield case("360_day groupby day mean", "model360", {"groupby": {"key": "time.day", "how": "mean"}})
    for freq in ("MS", "ME", "5D", "YS"):
        yield case(f"noleap resample {freq}", "model", {"resample": {"freq": freq, "how": "mean"}})
    for freq in ("ME", "D"):
        yield case(f"360_day resample {freq}", "model360", {"resample": {"freq": freq, "how": "max"}})
    yield case("noleap rolling", "model", {"rolling": {"dim": "time", "window": 3, "center": True, "how": "mean"}})
    yield case("noleap diff over time", "model", {"diff": "time"})
    yield case("noleap shift", "model", {"shift": {"dim": "time", "by": 2}})
    yield case("noleap concat", "model", {"concat": {"dim": "time", "new": False}})
    yield case("noleap coarsen", "model", {"coarsen": {"dim": "time", "window": 5, "boundary": "trim", "how": "mean"}})
    yield case("360_day time minimum", "model360", {"reduce": {"how": "min", "dims": None}})

    # Shape.
    yield case("expand_dims", "grid", {"expand_dims": "band"})
    yield case("squeeze", "grid", {"squeeze": "lat"})
    yield case("rename a dimension coordinate", "grid", {"rename": {"lon": "longitude"}})
    yield case("rename swapping two dimensions", "grid", {"rename": {"lat": "lon", "lon": "lat"}})
    yield case("rename to a name in use", "grid", {"rename": {"lat": "lon"}})
    yield case("swap_dims", "stations", {"swap_dims": ["station", "x"]})
    yield case("drop_vars", "stations", {"drop_vars": ["x"]})
    yield case("shift forward", "grid", {"shift": {"dim": "lon", "by": 2}})
    yield case("shift back", "series", {"shift": {"dim": "time", "by": -3}})
    yield case("shift integers", "stations", {"shift": {"dim": "station", "by": 1}})
    yield case("roll", "grid", {"roll": {"dim": "lon", "by": 2}})
    yield case("roll back", "stations", {"roll": {"dim": "station", "by": -1}})
    yield case("diff", "grid", {"diff": "lon"})
    yield case("diff over time", "series", {"diff": "time"})
    for method in ("linear", "nearest"):
        yield case(f"interp {method}", "grid", {"interp": {"dim": "lon", "at": [201.0, 204.0, 210.0, 211.0], "method": method}})
        yield case(f"interp {method} on a descending index", "grid", {"interp": {"dim": "lat", "at": [73.0, 68.0, 67.5], "method": method}})
    yield case(
        "interp times", "series",
        {"interp": {"dim": "time", "at": ["2013-04-29T03:00", "2013-05-01T10:00"], "time": True, "method": "linear"}},
    )
    yield case("concat along an existing dim", "grid", {"concat": {"dim": "lon", "new": False}})
    yield case("concat along a new dim", "grid", {"concat": {"dim": "run", "new": True}})


# Datasets -----------------------------------------------------------------------------

def dataset(ds):
    return {
        "data_vars": {name: data_array(ds[name]) for name in ds.data_vars},
        "coords": {name: {"dims": list(c.dims), **encode(c.values)} for name, c in ds.coords.items()},
        "attrs": dict(ds.attrs),
    }


def dataset_inputs():
    a = xr.Dataset(
        {"t": ("x", [1.0, np.nan, 3.0], {"units": "K"}), "s": ("y", np.array([5, 6], dtype="int64"))},
        coords={"x": [1, 2, 3], "y": [10, 20], "height": ("x", [0.5, 1.5, 2.5])},
        attrs={"title": "A"},
    )
    b = xr.Dataset({"u": ("x", [10.0, 20.0])}, coords={"x": [2, 4]}, attrs={"title": "B", "source": "b"})
    filler = xr.Dataset({"t": ("x", [2.0, 3.0, 4.0])}, coords={"x": [2, 3, 4]})
    clash = xr.Dataset({"t": ("x", [9.0])}, coords={"x": [1]})
    weather = field().to_dataset().assign(depth=("z", [5.0, 50.0])).assign_attrs(title="weather")
    return {"a": a, "b": b, "filler": filler, "clash": clash, "weather": weather}


def apply_dataset(inputs, op):
    (kind, args), = op.items()
    a = inputs["a"]
    if kind == "merge":
        return xr.merge([inputs[name] for name in args], join="outer", compat="no_conflicts", combine_attrs="override")
    if kind == "concat":
        if args == "x":
            return xr.concat([a.isel(x=slice(0, 2)), a.isel(x=slice(2, None))], dim="x", data_vars="all")
        return xr.concat([a, a * 2], dim=args, data_vars="all")
    if kind == "set_coords":
        return a.set_coords(args)
    if kind == "reset_coords":
        return a.reset_coords(args)
    if kind == "drop_vars":
        return a.drop_vars(args)
    if kind == "rename":
        return a.rename(args)
    if kind == "binary":
        other = inputs[args["other"]] if isinstance(args["other"], str) else args["other"]
        if args.get("array"):
            other = other[args["array"]]
        return {"+": lambda: a + other, "-": lambda: a - other, "*": lambda: a * other}[args["op"]]()
    if kind == "mean":
        return a.mean(args)
    if kind == "groupby":
        return getattr(inputs["weather"].groupby(args["key"]), args["how"])()
    if kind == "resample":
        return getattr(inputs["weather"].resample(time=args["freq"]), args["how"])()
    raise ValueError(f"unknown dataset operation {kind}")


def dataset_cases():
    yield case("merge with an outer join", "a", {"merge": ["a", "b"]})
    yield case("merge fills missing values", "a", {"merge": ["a", "filler"]})
    yield case("merge with conflicting values", "a", {"merge": ["a", "clash"]})
    yield case("concat datasets along an existing dim", "a", {"concat": "x"})
    yield case("concat datasets along a new dim", "a", {"concat": "run"})
    yield case("set_coords", "a", {"set_coords": ["s"]})
    yield case("reset_coords", "a", {"reset_coords": ["height"]})
    yield case("reset_coords of an index", "a", {"reset_coords": ["x"]})
    yield case("drop_vars of a variable and a coordinate", "a", {"drop_vars": ["height", "s"]})
    yield case("drop_vars of an unknown name", "a", {"drop_vars": ["nope"]})
    yield case("rename a variable", "a", {"rename": {"t": "temperature"}})
    yield case("rename a dimension", "a", {"rename": {"x": "station"}})
    yield case("rename a variable and a dimension at once", "a", {"rename": {"t": "temperature", "x": "station"}})
    yield case("rename a variable to a coordinate's name", "a", {"rename": {"t": "height"}})
    yield case("dataset plus dataset", "a", {"binary": {"op": "+", "other": "filler"}})
    yield case("dataset times a scalar", "a", {"binary": {"op": "*", "other": 2.0}})
    yield case("dataset minus an array", "a", {"binary": {"op": "-", "other": "filler", "array": "t"}})
    yield case("dataset mean", "a", {"mean": "x"})
    yield case("dataset groupby season mean", "weather", {"groupby": {"key": "time.season", "how": "mean"}})
    yield case("dataset groupby month max", "weather", {"groupby": {"key": "time.month", "how": "max"}})
    yield case("dataset groupby an unknown coordinate", "weather", {"groupby": {"key": "station", "how": "mean"}})
    yield case("dataset resample daily mean", "weather", {"resample": {"freq": "D", "how": "mean"}})


def decoded():
    """CF times on every calendar, decoded by xarray (with cftime where it uses it)."""
    counts = {
        "days": np.array([0.0, 59.0, 59.5, 365.0, 1460.25, np.nan]),
        "hours": np.array([0, 1416, 8760 * 3 + 5], dtype="int32"),
    }
    for calendar in ("standard", "gregorian", "proleptic_gregorian", "noleap", "365_day",
                     "all_leap", "366_day", "360_day", "julian"):
        for units, values in (("days since 2000-01-01", counts["days"]),
                              ("hours since 1850-01-01 00:00:00", counts["hours"]),
                              ("days since 1500-02-27 12:00", counts["days"])):
            raw = xr.Dataset({"t": ("t", values, {"units": units, "calendar": calendar})})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                times = xr.decode_cf(raw).t
            yield {"units": units, "calendar": calendar, "counts": encode(values), "expected": encode(times.values)}


def run_dataset_cases():
    inputs = dataset_inputs()
    for c in dataset_cases():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                c["expected"] = dataset(apply_dataset(inputs, c["op"]))
        except Exception as error:  # noqa: BLE001 - the case records what xarray raised
            c["error"] = f"{type(error).__name__}: {error}"
        yield c


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "reference" / "arrays.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=RuntimeWarning)  # sqrt and log of negatives: NaN is the answer
    inputs = {name: make() for name, make in INPUTS.items()}
    results = []
    for c in cases():
        try:
            result = apply(inputs, c["target"], c["op"])
        except Exception as error:  # noqa: BLE001 - the case records what xarray raised
            c["error"] = f"{type(error).__name__}: {error}"
        else:
            c["expected"] = [data_array(r) for r in result] if isinstance(result, list) else data_array(result)
        results.append(c)
    shown = {name: inputs[name] for name in ("grid", "series", "stations", "cube", "field", "model")}
    shown["model time"] = inputs["model360"].time
    shown["small and large"] = xr.DataArray(np.array([1e-5, 3.0]), dims="x")
    shown["summarised"] = xr.DataArray(np.arange(3000.0) / 7, dims="x")
    shown["bytes"] = xr.DataArray(np.array([b"ab", b"it's", b"\x00\n\\", b""], dtype="S4"), dims="x", name="code")
    shown["integers"] = xr.DataArray(np.arange(-5, 20, 3, dtype="int16").reshape(3, 3), dims=("y", "x"), name="n")
    reprs = {name: repr(da).replace("<xarray.", "<rangeo.") for name, da in shown.items()}
    reprs["grid dataset"] = repr(inputs["grid"].to_dataset()).replace("<xarray.", "<rangeo.")
    document = {
        "reprs": reprs,
        "repr_inputs": {name: data_array(da) for name, da in shown.items()},
        "xarray": xr.__version__,
        "numpy": np.__version__,
        "inputs": {name: data_array(da) for name, da in inputs.items()},
        "cases": results,
        "decoded": list(decoded()),
        "dataset_inputs": {name: dataset(ds) for name, ds in dataset_inputs().items()},
        "dataset_cases": list(run_dataset_cases()),
    }
    out.write_text(json.dumps(document, indent=1))
    errors = sum("error" in c for c in results)
    print(f"{len(results)} reference cases ({errors} errors) from xarray {xr.__version__} in {out}")


if __name__ == "__main__":
    main()
