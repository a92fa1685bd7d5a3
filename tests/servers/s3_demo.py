"""The Zarr notebook's demo bucket: an S3-compatible server (moto's server mode) on
127.0.0.1 with the air temperature reanalysis as a Zarr v3 store (written by xarray and
zarr-python, ../shared/data/real/air_temperature_v3.zarr) in the bucket `rangeo-demo`.
Any access key opens it (moto checks signatures, not who signed).

Prints the environment a kernel reads the bucket with (one JSON object on one line), then
serves until killed.

Run: .venv/bin/python tests/servers/s3_demo.py [PORT]   (default 8043)
"""

import json
import logging
import pathlib
import sys
import threading

import boto3
from moto.server import ThreadedMotoServer

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
STORE = ROOT.parent / "shared" / "data" / "real" / "air_temperature_v3.zarr"
BUCKET = "rangeo-demo"
REGION = "us-east-1"


def main(port=8043):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(port))
    server.start()
    endpoint = "http://{}:{}".format(*server.get_host_and_port())
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION,
                      aws_access_key_id="demo", aws_secret_access_key="demo")
    s3.create_bucket(Bucket=BUCKET)
    for path in sorted(STORE.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), BUCKET, f"{STORE.name}/{path.relative_to(STORE).as_posix()}")
    print(json.dumps({
        "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_ALLOW_HTTP": "true",
        "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
    }), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:2])
