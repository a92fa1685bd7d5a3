"""What xarray decodes from a dataset, as JSON that the Rust tests compare with: per
variable dims, dtype, attrs, encoding and values (NaN as null, times as ISO strings to
the second, text as strings, bytes as lists of byte values, complex numbers as [real,
imaginary]). Shared by
make_zarr.py and xarray_reads.py."""

import numpy as np

ENCODING_KEYS = ("dtype", "scale_factor", "add_offset", "_FillValue", "units", "calendar")


def plain(da):
    if np.issubdtype(da.dtype, np.datetime64):
        return np.datetime_as_string(da.values.astype("datetime64[s]")).tolist()
    if da.dtype.kind == "S":
        return np.frompyfunc(list, 1, 1)(da.values).tolist()
    if da.dtype.kind in "UT" or (da.dtype == object and da.size and isinstance(np.ravel(da.values)[0], str)):
        return np.asarray(da.values, dtype=str).tolist()
    if da.dtype == object:
        return [t.strftime("%Y-%m-%dT%H:%M:%S") for t in np.ravel(da.values)]
    if np.iscomplexobj(da.values):
        pairs = np.stack([da.values.real, da.values.imag], axis=-1).astype("float64")
        return np.where(np.isnan(pairs), None, pairs).tolist()
    vals = da.values.astype("float64")
    return np.where(np.isnan(vals), None, vals).tolist()


def attrs(mapping):
    """Attributes as JSON holds them: numpy arrays as lists, numpy scalars as numbers."""
    def value(x):
        if isinstance(x, np.ndarray):
            return [value(i) for i in x.tolist()]
        if isinstance(x, np.generic):
            x = x.item()
        if isinstance(x, float) and not np.isfinite(x):
            return "NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")
        return x
    return {k: value(v) for k, v in mapping.items()}


def variable(v):
    encoding = {k: v.encoding[k] for k in ENCODING_KEYS if k in v.encoding}
    if "dtype" in encoding:
        encoding["dtype"] = str(encoding["dtype"])
    for key, value in encoding.items():
        if isinstance(value, np.generic):
            encoding[key] = value.item()
        if isinstance(encoding[key], float) and np.isnan(encoding[key]):
            encoding[key] = "NaN"
    dtype = str(v.dtype)
    if v.dtype == object and v.size and isinstance(np.ravel(v.values)[0], str):
        # rangeo holds text one way, as numpy's <U does, whether numpy holds it as <U or object
        dtype = str(np.asarray(v.values, dtype=str).dtype)
    return {"dims": list(v.dims), "dtype": dtype, "attrs": attrs(v.attrs), "encoding": encoding,
            "values": plain(v)}


def describe(ds):
    return {
        "sizes": {k: int(v) for k, v in ds.sizes.items()},
        "data_vars": {name: variable(v) for name, v in ds.data_vars.items()},
        "coords": {name: variable(v) for name, v in ds.coords.items()},
        "attrs": attrs(ds.attrs),
    }
