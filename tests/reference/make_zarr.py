"""Fresh Zarr stores written by zarr-python and xarray, with what those libraries read
back from them, for runtime/tests/zarr_fresh.rs: the part of the Zarr tests that needs
nothing from ../shared.

* arrays/: every dtype rangeo holds, in Zarr v2 (no compressor, zlib, blosc zstd with
  bitshuffle) and v3 (zstd, gzip, blosc lz4, sharded), 9x14 in chunks of 4x5 (ragged
  edges), a non-trivial fill value and one chunk left unwritten because it equals the
  fill value. The expected values are zarr-python's reads, as .npy files. Also float32
  and float64 compressed with zfp (numcodecs' zfpy, lossy), v2 and v3; and byte
  strings (numpy's `|S3` as v2 `|S3` and v3 `null_terminated_bytes`, with a fill value
  and an unwritten chunk; variable-length bytes in v2 and v3), whose expected values
  are in the manifest, each element as its byte values.
* datasets/: one CF-encoded xarray Dataset (packed int16 with scale_factor /
  add_offset / _FillValue, uint16 with _FillValue, int32 counts with _FillValue, int8
  flags, float64 times "hours since", a `coordinates` attribute) written by
  `Dataset.to_zarr` as v2 with consolidated metadata and as v3, appended along time
  in three writes (v2 and v3), and with a region rewritten (v3); a dataset of text,
  bytes, float16 and complex numbers (v2 and v3); and what `xr.open_zarr` decodes from each
  (describe.py).
* netcdf/: the same kind of dataset as netCDF-4 and netCDF-3 (64-bit offset) files, a
  dataset of text and bytes in both, and what `xr.open_dataset` decodes from each.
* operations: what xarray computes on the float16 and complex arrays (means, abs, real
  and imaginary parts, arithmetic).
* multi/: one dataset cut along time into three netCDF files and three Zarr stores, and
  what `xr.open_mfdataset` makes of them (by coordinates, and nested along a new dim).

Run: .venv/bin/python tests/reference/make_zarr.py [OUT]  (scripts/test.sh does).
"""

import json
import pathlib
import shutil
import sys

import numcodecs
import numpy as np
import pandas as pd
import xarray as xr
import zarr

from describe import describe

ROOT = pathlib.Path(__file__).resolve().parents[2]

DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
]

V2_CODECS = {
    "none": None,
    "zlib": numcodecs.Zlib(level=1),
    "blosc_zstd_bitshuffle": numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
}
V3_CODECS = {
    "zstd": zarr.codecs.ZstdCodec(level=3),
    "gzip": zarr.codecs.GzipCodec(level=1),
    "blosc_lz4": zarr.codecs.BloscCodec(cname="lz4", shuffle="shuffle"),
    "sharded": None,
}


def values(dtype, rng):
    """9x14 values of `dtype`, with the 4x5 chunk (1, 1) all equal to the fill value."""
    if dtype == "bool":
        data, fill = rng.random((9, 14)) < 0.5, True
    elif dtype.startswith("float"):
        data, fill = rng.normal(280, 15, (9, 14)).astype(dtype), np.nan
        data[0, 0] = np.nan
    elif dtype.startswith("complex"):
        data = (rng.normal(0, 15, (9, 14)) + 1j * rng.normal(0, 15, (9, 14))).astype(dtype)
        data[0, 0], fill = complex(np.nan, 1.0), 1 - 2j
    else:
        info = np.iinfo(dtype)
        data = rng.integers(info.min, info.max, (9, 14), dtype=dtype, endpoint=True)
        fill = info.max if dtype.startswith("uint") else -7
    data[4:8, 5:10] = fill
    return data, fill


def write_arrays(out, rng):
    stores = {}
    for dtype in DTYPES:
        data, fill = values(dtype, rng)
        expected = f"arrays/expected/{dtype}.npy"
        for version, codecs in ((2, V2_CODECS), (3, V3_CODECS)):
            for codec_name, codec in codecs.items():
                name = f"arrays/v{version}/{dtype}_{codec_name}.zarr"
                options = {"compressors": codec} if codec is not None else {"compressors": None}
                if codec_name == "sharded":
                    options = {"shards": (8, 10), "compressors": zarr.codecs.ZstdCodec(level=1)}
                array = zarr.create_array(
                    store=str(out / name), shape=data.shape, chunks=(4, 5), dtype=dtype,
                    fill_value=fill, zarr_format=version, write_data=True, **options,
                )
                array[...] = data
                read = zarr.open_array(str(out / name), mode="r")[...]
                np.testing.assert_array_equal(read, data)
                stores[name] = {"dtype": dtype, "expected": expected}
        np.save(out / expected, data)
    return stores


def write_zfpy(out, rng):
    """float32 and float64 compressed with zfp (numcodecs' zfpy, fixed accuracy 0.01: lossy),
    in v2 and v3; the expected values are what zarr-python reads back."""
    stores = {}
    for dtype in ("float32", "float64"):
        data = rng.normal(280, 15, (9, 14)).astype(dtype)
        for version in (2, 3):
            name = f"arrays/v{version}/{dtype}_zfpy.zarr"
            codec = {"compressors": numcodecs.ZFPY(mode=4, tolerance=0.01)} if version == 2 else {
                "serializer": zarr.codecs.numcodecs.ZFPY(mode=4, tolerance=0.01), "compressors": None}
            array = zarr.create_array(
                store=str(out / name), shape=data.shape, chunks=(4, 5), dtype=dtype,
                fill_value=0.0, zarr_format=version, **codec,
            )
            array[...] = data
            read = zarr.open_array(str(out / name), mode="r")[...]
            assert np.abs(read - data).max() <= 0.01
            expected = f"arrays/expected/{dtype}_zfpy_v{version}.npy"
            np.save(out / expected, read)
            stores[name] = {"dtype": dtype, "expected": expected}
    return stores


def write_bytes(out):
    """Byte strings as zarr-python writes them: fixed-width `|S3` with the fill value b"ab"
    (the chunk of nothing else left unwritten) and variable-length bytes, v2 and v3."""
    fixed = np.array([[b"abc", b"a\x00c", b"", b"\xff\n"], [b"ab", b"ab", b"x", b"'"]], dtype="S3")
    ragged = np.array([b"New", b"", b"\x00\x01longer bytes", b"z"], dtype=object)
    stores = {}
    for version in (2, 3):
        for kind, data, options in (
            ("fixed", fixed, {"dtype": fixed.dtype, "chunks": (1, 2), "fill_value": b"ab"}),
            ("vlen", ragged, {"dtype": zarr.core.dtype.VariableLengthBytes(), "chunks": (2,)}),
        ):
            name = f"bytes/v{version}/{kind}.zarr"
            array = zarr.create_array(store=str(out / name), shape=data.shape, zarr_format=version, **options)
            array[...] = data
            read = zarr.open_array(str(out / name), mode="r")[...]
            np.testing.assert_array_equal(read, data)
            stores[name] = {"shape": list(read.shape), "values": [list(b) for b in read.ravel()]}
    return stores


def cf_dataset(rng):
    time = pd.date_range("2001-03-30", periods=12, freq="6h")
    lat = np.array([60.0, 50.0, 40.0, 30.0, 20.0])
    lon = np.arange(0.0, 360.0, 60.0)
    t2m = rng.normal(281, 9, (12, 5, 6)).round(2)
    t2m[3, 2, 1] = np.nan
    precip = rng.gamma(1.5, 1.2, (12, 5, 6)).round(3)
    precip[0, 0, :2] = np.nan
    count = rng.integers(0, 60, 12).astype("float64")
    count[5] = np.nan
    ds = xr.Dataset(
        {
            "t2m": (("time", "lat", "lon"), t2m, {"units": "K", "long_name": "2 metre temperature"}),
            "precip": (("time", "lat", "lon"), precip, {"units": "mm"}),
            "station_count": ("time", count, {"long_name": "stations reporting"}),
            "land": (("lat", "lon"), (rng.random((5, 6)) < 0.4).astype("int8"), {"flag_values": [0, 1], "flag_meanings": "sea land"}),
            "height": ((), 2.0, {"units": "m"}),
        },
        coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}), "lon": ("lon", lon, {"units": "degrees_east"})},
        attrs={"title": "fresh CF test dataset", "Conventions": "CF-1.8"},
    )
    ds["t2m"].attrs["coordinates"] = "height"
    encoding = {
        "t2m": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 280.0, "_FillValue": -32767, "chunks": (5, 3, 6)},
        "precip": {"dtype": "uint16", "scale_factor": 0.001, "_FillValue": 65535, "chunks": (6, 5, 6)},
        "station_count": {"dtype": "int32", "_FillValue": -1},
        "time": {"units": "hours since 2001-01-01", "calendar": "standard", "dtype": "float64"},
    }
    return ds, encoding


def write_datasets(out, rng):
    ds, encoding = cf_dataset(rng)
    datasets = {}
    for name, options in (("datasets/cf_v2.zarr", {"zarr_format": 2, "consolidated": True}),
                          ("datasets/cf_v3.zarr", {"zarr_format": 3, "consolidated": False})):
        ds.to_zarr(out / name, mode="w", encoding=encoding, **options)
        datasets[name] = describe(xr.open_zarr(out / name, consolidated=options["consolidated"]))
    # Appended along time (the first append starts inside a chunk of 5) and written
    # by region, as xarray does both.
    for version in (2, 3):
        name = f"datasets/appended_v{version}.zarr"
        ds.isel(time=slice(0, 7)).to_zarr(out / name, mode="w", encoding=encoding, zarr_format=version)
        ds.isel(time=slice(7, 9)).to_zarr(out / name, append_dim="time")
        ds.isel(time=slice(9, 12)).to_zarr(out / name, append_dim="time")
        datasets[name] = describe(xr.open_zarr(out / name))
    # Text, bytes, float16 and complex numbers, as xarray writes them (no fill value for
    # text, bytes and complex numbers in v2).
    kinds = xr.Dataset(
        {
            "half": (("y", "x"), rng.normal(280, 5, (3, 4)).astype("float16")),
            "wave": ("y", np.array([1 + 2j, np.nan, -0.5j], dtype="complex64")),
            "wave128": (("y", "x"), (rng.normal(0, 1, (3, 4)) + 1j * rng.normal(0, 1, (3, 4)))),
            "code": ("y", np.array([b"A1", b"", b"b\x00"], dtype="S2")),
        },
        coords={"city": ("y", np.array(["Oslo", "Aswân", "Lyon"])), "x": np.arange(4.0)},
    )
    for version in (2, 3):
        name = f"datasets/kinds_v{version}.zarr"
        kinds.to_zarr(out / name, mode="w", zarr_format=version, consolidated=version == 2)
        datasets[name] = describe(xr.open_zarr(out / name, consolidated=version == 2))
    name = "datasets/region_v3.zarr"
    ds.to_zarr(out / name, mode="w", encoding=encoding, zarr_format=3)
    changed = ds.isel(time=slice(5, 10)).drop_vars(["land", "lat", "lon", "height"])
    changed = changed + 1.0
    changed["time"] = ds.time.isel(time=slice(5, 10))
    changed.to_zarr(out / name, region={"time": slice(5, 10)})
    datasets[name] = describe(xr.open_zarr(out / name))
    return datasets


def write_netcdf(out, rng):
    """The CF dataset as netCDF-4 (t2m packed with float32 factors, which xarray unpacks
    to float32; HDF5 chunks) and netCDF-3 64-bit offset (no unsigned types there), and a
    dataset of text and bytes in both, with what `xr.open_dataset` decodes from each."""
    ds, encoding = cf_dataset(rng)
    files = {}
    nc4 = {name: {k: v for k, v in spec.items() if k != "chunks"} for name, spec in encoding.items()}
    nc4["t2m"].update(scale_factor=np.float32(0.01), add_offset=np.float32(280.0), chunksizes=(5, 3, 6), zlib=True)
    nc3 = {name: dict(spec) for name, spec in nc4.items()}
    nc3["t2m"] = {"dtype": "int16", "scale_factor": 0.01, "add_offset": 280.0, "_FillValue": -32767}
    nc3["precip"].update(dtype="int16", _FillValue=-1)
    for name, form, spec in (("netcdf/cf_nc4.nc", "NETCDF4", nc4), ("netcdf/cf_nc3.nc", "NETCDF3_64BIT", nc3)):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(out / name, format=form, encoding=spec)
        with xr.open_dataset(out / name) as back:
            files[name] = describe(back)
    # Text and bytes: netCDF-4 strings and `char` arrays; netCDF-3 `char` arrays, text
    # among them with `_Encoding`.
    text = xr.Dataset(
        {"name": ("station", np.array(["Oslo", "Aswân", "", "Lyon"])),
         "code": ("station", np.array([b"A1", b"", b"b", b"\xff"], dtype="S2"))},
        coords={"station": np.arange(4, dtype="int32")},
    )
    for name, form in (("netcdf/text_nc4.nc", "NETCDF4"), ("netcdf/text_nc3.nc", "NETCDF3_64BIT")):
        text.to_netcdf(out / name, format=form)
        with xr.open_dataset(out / name) as back:
            files[name] = describe(back)
    return files


def write_multifile(out, rng):
    """The CF dataset cut along time into three netCDF files and three Zarr stores (named
    so that sorting them by name does not sort them by time), with what
    `xr.open_mfdataset` makes of them under xarray's new defaults (data variables
    without time taken from the first file), and of two stacked along a new `member`."""
    ds, encoding = cf_dataset(rng)
    nc = {name: {k: v for k, v in spec.items() if k != "chunks"} for name, spec in encoding.items()}
    (out / "multi").mkdir(parents=True, exist_ok=True)
    pieces = {"b": slice(0, 5), "c": slice(5, 7), "a": slice(7, 12)}
    for name, part in pieces.items():
        ds.isel(time=part).to_netcdf(out / "multi" / f"{name}.nc", encoding=nc)
        ds.isel(time=part).to_zarr(out / "multi" / f"{name}.zarr", mode="w", encoding=encoding)
    combined = {}
    with xr.set_options(use_new_combine_kwarg_defaults=True):
        with xr.open_mfdataset(str(out / "multi" / "*.nc")) as joined:
            combined["multi/*.nc"] = describe(joined)
        zarrs = sorted(str(p) for p in (out / "multi").glob("*.zarr"))
        with xr.open_mfdataset(zarrs, engine="zarr") as joined:
            combined["multi/*.zarr"] = describe(joined)
        nested = [str(out / "multi" / "b.nc"), str(out / "multi" / "b.nc")]
        with xr.open_mfdataset(nested, combine="nested", concat_dim="member") as stacked:
            combined["multi/b.nc+b.nc member"] = describe(stacked)
    return combined


def operations(out):
    """What xarray computes on the float16 and complex stores (opened through
    xr.open_zarr as (y, x) arrays): the mean over y skipping NaN, abs, real and imag
    parts, z * z.conj() and z + 1.5, as [real, imaginary] pairs of float64 for complex
    results, NaN as null."""
    def pairs(a):
        """Nested lists of float64 (pairs for complex numbers), NaN as null."""
        a = np.asarray(a)
        a = np.stack([a.real, a.imag], axis=-1) if np.iscomplexobj(a) else a
        a = a.astype("float64")
        return np.where(np.isnan(a), None, a).tolist()

    results = {}
    for dtype in ("float16", "complex64", "complex128"):
        data = np.load(out / f"arrays/expected/{dtype}.npy")
        da = xr.DataArray(data, dims=("y", "x"))
        mean = da.mean("y")
        entry = {"mean_y": pairs(mean.values), "mean_dtype": str(mean.dtype),
                 "abs": pairs(abs(da).values), "abs_dtype": str(abs(da).dtype)}
        if dtype.startswith("complex"):
            entry.update({
                "real": pairs(da.real.values), "imag": pairs(da.imag.values),
                "times_conj": pairs((da * np.conj(da)).values), "plus": pairs((da + 1.5).values),
                "plus_dtype": str((da + 1.5).dtype),
            })
        results[dtype] = entry
    return results


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "reference" / "zarr"
    shutil.rmtree(out, ignore_errors=True)
    (out / "arrays" / "expected").mkdir(parents=True)
    rng = np.random.default_rng(20261125)
    manifest = {
        "zarr_python": zarr.__version__,
        "xarray": xr.__version__,
        "stores": write_arrays(out, rng) | write_zfpy(out, rng),
        "bytes": write_bytes(out),
        "datasets": write_datasets(out, rng),
        "netcdf": write_netcdf(out, rng),
        "multi": write_multifile(out, rng),
    }
    manifest["operations"] = operations(out)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    print(f"{len(manifest['stores'])} arrays and {len(manifest['datasets'])} datasets "
          f"from zarr-python {zarr.__version__} and xarray {xr.__version__} in {out}")


if __name__ == "__main__":
    main()
