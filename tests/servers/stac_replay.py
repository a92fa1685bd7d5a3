"""Replays recorded STAC API exchanges (pystac-client's cassettes, converted to JSON in
../shared/data/stac/pystac-client-cassettes) on 127.0.0.1, so that a client pages through
them as it paged through the real API.

Each cassette is served under /<cassette>/<upstream host>/<path>; the upstream origin in
every response body is rewritten to that local prefix, so `next` links lead back here. A
request must match a recorded one of its cassette (method, path, query and JSON body):
anything else gets a 404 that names it. A landing page that a cassette did not record is
taken from another cassette of the same API. GET /_log lists the requests received.

Run: .venv/bin/python tests/servers/stac_replay.py CASSETTES PORT
"""

import json
import pathlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def load(directory):
    """{cassette: [interaction]} with each interaction's request and response bodies."""
    cassettes = {}
    for folder in sorted(pathlib.Path(directory).iterdir()):
        index = folder / "interactions.json"
        if not index.exists():
            continue
        interactions = []
        for entry in json.loads(index.read_text())["interactions"]:
            request = json.loads((folder / entry["request"]).read_text())
            response = json.loads((folder / entry["response"]).read_text())
            interactions.append({**entry, "body": request.get("body"), "answer": response})
        cassettes[folder.name] = interactions
    return cassettes


def same_uri(a, b):
    a, b = urlsplit(a), urlsplit(b)
    return (
        (a.netloc, a.path.rstrip("/")) == (b.netloc, b.path.rstrip("/"))
        and parse_qs(a.query) == parse_qs(b.query)
    )


class Replay(BaseHTTPRequestHandler):
    cassettes = {}
    log = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.answer("GET", None)

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = raw.decode(errors="replace")
        self.answer("POST", body)

    def answer(self, method, body):
        if self.path == "/_log":
            with self.lock:
                return self.send(200, "application/json", json.dumps(self.log).encode())
        parts = self.path.split("/", 3)
        cassette = parts[1] if len(parts) > 1 else ""
        upstream = "https://" + (parts[2] if len(parts) > 2 else "") + "/" + (parts[3] if len(parts) > 3 else "")
        with self.lock:
            self.log.append({"cassette": cassette, "method": method, "uri": upstream, "body": body})
        recorded = self.find(cassette, method, upstream, body)
        if recorded is None:
            message = {"code": "NotRecorded", "description": f"no recorded {method} {upstream} with body {json.dumps(body)} in {cassette}"}
            return self.send(404, "application/json", json.dumps(message).encode())
        origin = "https://" + (parts[2] if len(parts) > 2 else "")
        local = f"http://{self.headers['host']}/{cassette}/{parts[2]}"
        text = json.dumps(recorded["answer"]).replace(origin, local)
        self.send(int(recorded["status"]), recorded["content_type"], text.encode())

    def find(self, cassette, method, uri, body):
        for interaction in self.cassettes.get(cassette, []):
            if interaction["method"] == method and same_uri(interaction["uri"], uri):
                if method == "GET" or interaction["body"] == body:
                    return interaction
        if method == "GET":
            # A landing page recorded by another cassette of the same API.
            for interactions in self.cassettes.values():
                for interaction in interactions:
                    if interaction["method"] == "GET" and interaction.get("type") == "Catalog" and same_uri(interaction["uri"], uri):
                        return interaction
        return None

    def send(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main(directory, port):
    Replay.cassettes = load(directory)
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Replay)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
