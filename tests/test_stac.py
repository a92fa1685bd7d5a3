"""STAC API searches from kernel cells, against real servers on 127.0.0.1:

- `rustac serve` (the rustac wheel's server, memory backend) loaded with the items of
  pystac's test catalogs in ../shared/data/stac: rangeo and pystac-client run the same
  searches (collections, ids, bbox, datetime instants, ranges and open ends, intersects,
  sortby, limit and paging, max_items, GET and POST) and must return the same items in
  the same order, over the same number of pages.
- The recorded Planetary Computer and Earth Search pages (pystac-client's cassettes),
  replayed by tests/servers/stac_replay.py: rangeo must send exactly the recorded
  requests (POST next links with and without merge, CQL2 JSON filters, fields) and page
  exactly as pystac-client did; a 404 comes back with the server's message.

Needs ../shared/data/stac (required where RANGEO_REQUIRE_SHARED is set, as in CI).
"""

import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request

import pystac
import pytest
from pystac_client import Client

import conftest

ROOT = pathlib.Path(__file__).resolve().parent.parent
STAC = ROOT.parent / "shared" / "data" / "stac"
CASSETTES = STAC / "pystac-client-cassettes"
CATALOGS = [
    "pystac-data-files/catalogs/test-case-4/catalog.json",
    "pystac-data-files/catalogs/test-case-1/catalog.json",
    "pystac-data-files/catalogs/planet-example-v1.0.0-beta.2/collection.json",
]

if not STAC.is_dir():
    assert "RANGEO_REQUIRE_SHARED" not in os.environ, f"{STAC} is missing"
    pytest.skip(f"{STAC} is missing", allow_module_level=True)


def wait_for(url, process):
    for _ in range(200):
        assert process.poll() is None, f"the server for {url} exited"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """rustac's STAC API server holding the collections and items of CATALOGS."""
    directory = tmp_path_factory.mktemp("stac-api")
    features, files = [], []
    for href in CATALOGS:
        root = pystac.read_file(str(STAC / href))
        for collection in [root, *root.get_all_collections()]:
            if isinstance(collection, pystac.Collection):
                d = collection.to_dict(include_self_link=False, transform_hrefs=False)
                d["links"] = []
                path = directory / f"{collection.id}.json"
                path.write_text(json.dumps(d))
                files.append(str(path))
        for item in root.get_items(recursive=True):
            features.append(item.to_dict(include_self_link=False, transform_hrefs=False))
    items = directory / "items.json"
    items.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    port = conftest.free_port()
    rustac = pathlib.Path(sys.executable).parent / "rustac"
    process = subprocess.Popen(
        [str(rustac), "serve", "-a", f"127.0.0.1:{port}", *files, str(items)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(url, process)
    yield url, len(features)
    process.terminate()
    process.wait()


@pytest.fixture(scope="module")
def replay():
    port = conftest.free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "servers" / "stac_replay.py"), str(CASSETTES), str(port)]
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/_log", process)
    yield url
    process.terminate()
    process.wait()


def printed(messages):
    return "".join(
        m["content"]["text"] for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )


def rust_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


# (pystac-client search arguments, the same search written with rangeo's builder)
SEARCHES = [
    (dict(limit=7), ".limit(7)"),
    (dict(collections=["acc", "dar"], limit=5), '.collections(["acc", "dar"]).limit(5)'),
    (dict(ids=["065bd9", "d41d81", "20170831_172754_101c"]), '.ids(["065bd9", "d41d81", "20170831_172754_101c"])'),
    (dict(bbox=[-11.0, 5.0, 1.0, 7.0], limit=3), ".bbox([-11.0, 5.0, 1.0, 7.0]).limit(3)"),
    (dict(datetime="2018-08-01/2018-10-31", limit=4), '.datetime("2018-08-01/2018-10-31").limit(4)'),
    (dict(datetime="../2018-08"), '.datetime("../2018-08")'),
    (dict(datetime="2019-06/.."), '.datetime("2019-06/..")'),
    (dict(datetime="2018"), '.datetime("2018")'),
    (dict(datetime="2017-08-31T00:00:00Z/2017-09-01T00:00:00Z"), '.datetime("2017-08-31T00:00:00Z/2017-09-01T00:00:00Z")'),
    (
        dict(intersects={"type": "Point", "coordinates": [39.28, -6.83]}),
        '.intersects(r#"{"type": "Point", "coordinates": [39.28, -6.83]}"#)',
    ),
    (dict(limit=4, max_items=10), ".limit(4).max_items(10)"),
    (dict(max_items=3, collections=["znz"]), '.max_items(3).collections(["znz"])'),
    # rustac's memory backend does not sort: both clients send sortby and must see the
    # server's order alike.
    (dict(sortby="-properties.datetime", limit=20), '.sortby("-properties.datetime").limit(20)'),
    # rustac's GET search takes datetime and limit (not bbox or collections).
    (dict(method="GET", limit=9), ".method_get().limit(9)"),
    (dict(method="GET", datetime="2019", limit=6), '.method_get().datetime("2019").limit(6)'),
]


def test_searches_match_pystac_client(kc, api):
    url, n = api
    client = Client.open(url)
    client.add_conforms_to("SORT")
    expected = []
    for arguments, _ in SEARCHES:
        search = client.search(**arguments)
        pages = [[item.id for item in page.items] for page in search.pages()]
        expected.append({"ids": [i for page in pages for i in page], "pages": len(pages)})
    cell = [f'let client = Client::open("{url}")?;']
    for _, builder in SEARCHES:
        cell.append(
            f"let search = client.search(Search::new(){builder})?;\n"
            "let items = search.item_collection()?;\n"
            'println!("{} {}", search.pages_fetched(), items.ids().join(","));'
        )
    reply, messages = conftest.run(kc, "\n".join(cell))
    assert reply["status"] == "ok", reply
    lines = printed(messages).splitlines()
    assert len(lines) == len(SEARCHES)
    for (arguments, _), line, want in zip(SEARCHES, lines, expected):
        pages, _, ids = line.partition(" ")
        got = {"ids": ids.split(",") if ids else [], "pages": int(pages)}
        assert got == want, arguments
    # The searches found something, and all of it without paging limits.
    assert expected[0]["ids"] and len(expected[0]["ids"]) == n
    assert expected[0]["pages"] == -(-n // 7)


def test_results_show_as_a_table_and_a_map_layer(kc, api):
    url, _ = api
    reply, messages = conftest.run(
        kc, f'Client::open("{url}")?.search(Search::new().collections(["acc"]))?.item_collection()?'
    )
    assert reply["status"] == "ok", reply
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    data = result["content"]["data"]
    assert data["text/plain"].startswith("ItemCollection: 8 items\nid")
    assert "<th style=\"text-align:left\">eo:cloud_cover</th>" in data["text/html"]
    layer = data["application/geo+json"]
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 8
    assert all(f["geometry"]["type"] == "Polygon" for f in layer["features"])


def test_api_errors_are_named_and_lose_nothing(kc, api, replay):
    url, _ = api
    assert conftest.evaluate(kc, 'let kept = 42; kept') == "42"
    cases = [
        (f'Client::open("{url}")?.search(Search::new().datetime("2019-13"))?;', "datetime `2019-13`: there is no month 13"),
        ('Client::open("http://127.0.0.1:9")?;', "cannot reach the STAC API at http://127.0.0.1:9"),
        (
            f'Client::open("{replay}/earth-search-v1-collection-404/earth-search.aws.element84.com/v1")?.collection("foo")?;',
            "answered 404 Not Found: Not Found; its collections could not be listed",
        ),
        (
            f'Client::open("{replay}/pc-search-ids/planetarycomputer.microsoft.com/api/stac/v1")?'
            '.search(Search::new().collections(["not-recorded"]))?.item_collection()?;',
            "page 1 of the search failed",
        ),
    ]
    for code, message in cases:
        reply, _ = conftest.run(kc, code)
        assert reply["status"] == "error", code
        assert message in "\n".join(reply["traceback"]) + reply["evalue"], (code, reply["evalue"])
    assert conftest.evaluate(kc, "kept") == "42"


def recorded(cassette):
    """The recorded searches of `cassette`: (request bodies, ids of each page, numberMatched)."""
    folder = CASSETTES / cassette
    bodies, pages, matched = [], [], None
    for entry in json.loads((folder / "interactions.json").read_text())["interactions"]:
        request = json.loads((folder / entry["request"]).read_text())
        if not request["uri"].endswith("/search"):
            continue
        response = json.loads((folder / entry["response"]).read_text())
        bodies.append(request["body"])
        pages.append([f["id"] for f in response["features"]])
        matched = matched or response.get("numberMatched") or (response.get("context") or {}).get("matched")
    return bodies, pages, matched


# (cassette, API root under its host, the search as rangeo's builder writes it)
REPLAYS = [
    ("pc-search-naip-post-paging", "planetarycomputer.microsoft.com/api/stac/v1",
     '.bbox([-73.21, 43.99, -73.12, 44.05]).collections(["naip"]).limit(10).max_items(20)'),
    ("pc-search-post-paging-max-items", "planetarycomputer.microsoft.com/api/stac/v1",
     '.collections(["naip"]).limit(10).max_items(30)'),
    ("pc-search-ids", "planetarycomputer.microsoft.com/api/stac/v1",
     '.ids(["S2B_MSIL2A_20210610T115639_N0212_R066_T33XXG_20210613T185024.SAFE", '
     '"fl_m_2608004_nw_17_060_20191215_20200113"]).collections(["naip"])'),
    ("earth-search-v1-s2c1-cql2-filter-paging", "earth-search.aws.element84.com/v1",
     '.filter(r#"{"op": "lte", "args": [{"property": "eo:cloud_cover"}, 40]}"#).max_items(20)'),
    ("earth-search-v1-s2c1-fields", "earth-search.aws.element84.com/v1",
     '.collections(["sentinel-2-c1-l2a"]).intersects(r#"{"type": "Point", "coordinates": [-105.1019, 40.1672]}"#)'
     '.fields("-geometry,-assets,-links").max_items(10)'),
    ("earth-search-v1-search-matched", "earth-search.aws.element84.com/v1",
     '.collections(["cop-dem-glo-30"]).limit(1).max_items(1)'),
]


@pytest.mark.parametrize("cassette,api_root,builder", REPLAYS, ids=[r[0] for r in REPLAYS])
def test_recorded_pages_replay_exactly(kc, replay, cassette, api_root, builder):
    bodies, pages, matched = recorded(cassette)
    code = (
        f'let search = Client::open("{replay}/{cassette}/{api_root}")?.search(Search::new(){builder})?;\n'
        "for page in search.pages() { println!(\"{}\", page?.ids().join(\",\")); }\n"
        'println!("matched {:?}", search.matched()?);'
    )
    with urllib.request.urlopen(replay + "/_log") as response:
        before = len(json.load(response))
    reply, messages = conftest.run(kc, code)
    assert reply["status"] == "ok", reply
    *lines, last = printed(messages).splitlines()
    assert [line.split(",") for line in lines] == pages
    assert last == (f"matched Some({matched})" if matched else "matched None")
    with urllib.request.urlopen(replay + "/_log") as response:
        log = json.load(response)[before:]
    searches = [entry["body"] for entry in log if entry["uri"].endswith("/search")]
    assert searches == bodies
