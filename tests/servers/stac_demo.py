"""A local STAC API with Sentinel-2-like scenes, for notebooks/stac-datacube.ipynb and its
test: the items and COGs that tests/reference/make_stack.py writes with rasterio (made
first if DIRECTORY lacks them), their assets served over HTTP by tornado with range
requests, and the items loaded into `rustac serve` (memory backend) as the collection
`sentinel-2-l2a-like`.

Run: .venv/bin/python tests/servers/stac_demo.py [DIRECTORY] [API_PORT] [FILES_PORT]
(defaults: build/reference/stack, 8041, 8042). It prints the API's URL once it answers,
then serves until stopped.
"""

import asyncio
import json
import pathlib
import subprocess
import sys
import threading
import time
import urllib.request

import static_http

ROOT = pathlib.Path(__file__).resolve().parents[2]
COLLECTION = "sentinel-2-l2a-like"


def fixtures(directory):
    """The items of make_stack.py in `directory`, made there if missing."""
    items = directory / "items" / "mixed.json"
    if not items.exists():
        subprocess.run([sys.executable, str(ROOT / "tests/reference/make_stack.py"), str(directory)], check=True)
    return json.loads(items.read_text())


def serve_files(directory, port):
    """static_http.py's server (range requests included) on a thread of its own."""
    threading.Thread(target=lambda: asyncio.run(static_http.serve(str(directory), port)), daemon=True).start()


def api_files(directory, items, files_url):
    """The collection and the items, with absolute asset hrefs, as files rustac loads."""
    for feature in items["features"]:
        for asset in feature["assets"].values():
            asset["href"] = f"{files_url}/{asset['href']}"
        feature["links"] = []
    bboxes = [f["bbox"] for f in items["features"]]
    times = sorted(f["properties"]["datetime"] for f in items["features"])
    collection = {
        "type": "Collection",
        "stac_version": "1.0.0",
        "id": COLLECTION,
        "description": "Sentinel-2 L2A-like scenes written by rasterio for rangeo's demos and tests",
        "license": "CC0-1.0",
        "extent": {
            "spatial": {"bbox": [[min(b[0] for b in bboxes), min(b[1] for b in bboxes),
                                  max(b[2] for b in bboxes), max(b[3] for b in bboxes)]]},
            "temporal": {"interval": [[times[0], times[-1]]]},
        },
        "links": [],
    }
    out = directory / "api"
    out.mkdir(exist_ok=True)
    (out / "collection.json").write_text(json.dumps(collection))
    (out / "items.json").write_text(json.dumps(items))
    return [out / "collection.json", out / "items.json"]


def main():
    directory = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build/reference/stack"
    api_port = int(sys.argv[2]) if len(sys.argv) > 2 else 8041
    files_port = int(sys.argv[3]) if len(sys.argv) > 3 else 8042
    items = fixtures(directory)
    serve_files(directory / "items", files_port)
    files = api_files(directory, items, f"http://127.0.0.1:{files_port}")
    rustac = pathlib.Path(sys.executable).parent / "rustac"
    api = subprocess.Popen([str(rustac), "serve", "-a", f"127.0.0.1:{api_port}", *map(str, files)])
    url = f"http://127.0.0.1:{api_port}"
    try:
        for _ in range(300):
            if api.poll() is not None:
                sys.exit(f"rustac serve exited with {api.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/collections/{COLLECTION}", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"{url} did not answer")
        print(url, flush=True)
        api.wait()
    finally:
        api.terminate()


if __name__ == "__main__":
    main()
