"""Serves a directory over HTTP on 127.0.0.1 as web servers and object stores serve Zarr
stores, range requests included (tornado's StaticFileHandler, which Jupyter ships).

Run: .venv/bin/python tests/servers/static_http.py DIRECTORY PORT
"""

import asyncio
import sys

import tornado.web


async def serve(directory, port):
    app = tornado.web.Application([(r"/(.*)", tornado.web.StaticFileHandler, {"path": directory})])
    app.listen(port, address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))
