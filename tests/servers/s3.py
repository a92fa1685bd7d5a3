"""An S3-compatible server on 127.0.0.1 (moto's server mode) that checks credentials,
holding one bucket with a directory's files uploaded under a prefix.

Prints one JSON line once it is ready: the endpoint, bucket, region, the access key that
may read and write it, and the access key of a viewer that may only read it. Runs until
killed.

Run: .venv/bin/python tests/servers/s3.py DIRECTORY BUCKET PREFIX
"""

import json
import os
import pathlib
import sys
import threading

# Requests are checked against moto's IAM once the first six (which make the two users
# and their keys) are done.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "6"

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

REGION = "eu-west-1"


def main(directory, bucket, prefix):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    anonymous = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, **anonymous)
    iam.create_user(UserName="reader")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="s3",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    iam.create_user(UserName="viewer")
    iam.put_user_policy(
        UserName="viewer",
        PolicyName="s3-read",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}
        ),
    )
    viewer = iam.create_access_key(UserName="viewer")["AccessKey"]
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
    )
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    root = pathlib.Path(directory)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(root).as_posix()}")
    print(json.dumps({
        "endpoint": endpoint, "bucket": bucket, "region": REGION,
        "access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"],
        "viewer_key_id": viewer["AccessKeyId"], "viewer_secret_key": viewer["SecretAccessKey"],
    }), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(*sys.argv[1:4])
