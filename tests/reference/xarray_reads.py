"""Prints, as one JSON document, what `xr.open_zarr` decodes from each store named on
the command line (see describe.py): runtime/tests/zarr_write.rs checks that xarray reads
what rangeo wrote as rangeo holds it.

Run: .venv/bin/python tests/reference/xarray_reads.py STORE [STORE ...]
"""

import json
import sys

import xarray as xr

from describe import describe


def main(stores):
    described = {}
    for store in stores:
        with xr.open_zarr(store) as ds:
            described[store] = describe(ds)
    json.dump(described, sys.stdout, default=str)


if __name__ == "__main__":
    main(sys.argv[1:])
