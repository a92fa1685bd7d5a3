"""rangeo on a JupyterHub. A real JupyterHub (PyPI's `jupyterhub`, with the
configurable-http-proxy from npm that scripts/common.sh installs into build/hub) runs on
127.0.0.1 with the dummy authenticator and a local-process spawner. Through the hub's REST
API, as an admin service would, the test starts a user's single-user server, finds rangeo
in its kernel list, starts a rangeo kernel and runs a cell over the kernel's websocket, all
through the proxy.
"""

import asyncio
import json
import os
import pathlib
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from conftest import free_port

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROXY = ROOT / "build" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
USER = "scientist"

CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {public}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{state}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.pid_file = "{state}/hub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
# Users' servers as local processes, without system accounts (the hub's own user runs them).
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{state}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = ["--allow-root"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The admin service the test acts as.
c.JupyterHub.services = [{{"name": "tester", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "tester", "services": ["tester"],
      "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"]}},
]
"""


def call(url, token, method="GET", body=None):
    """A JSON request with the service's token; returns (status, decoded reply or None)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            text = reply.read()
            return reply.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(what, check, timeout, log):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"{what} within {timeout} s\n{log.read_text()[-4000:]}"
        time.sleep(0.5)
    return result


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A JupyterHub on 127.0.0.1: (public URL, service token)."""
    assert PROXY.exists(), f"{PROXY} is missing: scripts/test.sh installs it (ensure_proxy)"
    state = tmp_path_factory.mktemp("hub")
    (state / "home").mkdir()
    token = secrets.token_hex(32)
    public = free_port()
    config = CONFIG.format(
        public=public, hub=free_port(), proxy_api=free_port(), proxy=str(PROXY), state=state,
        singleuser=str(pathlib.Path(sys.executable).parent / "jupyterhub-singleuser"), token=token,
    )
    (state / "jupyterhub_config.py").write_text(config)
    log_path = state / "hub.log"
    log = open(log_path, "w")
    hub = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(state / "jupyterhub_config.py")],
        cwd=state, stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, PATH=f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}"),
    )
    url = f"http://127.0.0.1:{public}"

    def answering():
        assert hub.poll() is None, log_path.read_text()
        try:
            return call(f"{url}/hub/api/", token)[0] == 200
        except OSError:
            return False

    wait_for("the hub answering", answering, 120, log_path)
    yield url, token, log_path
    call(f"{url}/hub/api/users/{USER}/server", token, "DELETE")
    hub.terminate()
    hub.wait(timeout=60)
    log.close()


async def run_cell(ws_url, token, code):
    """Sends an execute_request over the kernel's websocket; returns (reply, iopub messages)."""
    connection = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": USER, "session": uuid.uuid4().hex,
              "date": "", "version": "5.4"}
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False}
    await connection.write_message(json.dumps(
        {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}))
    iopub, reply = [], None
    while reply is None or not any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                                   for m in iopub):
        message = json.loads(await asyncio.wait_for(connection.read_message(), 600))
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["channel"] == "shell":
            reply = message
        elif message["channel"] == "iopub":
            iopub.append(message)
    connection.close()
    return reply, iopub


def test_a_hub_user_server_lists_rangeo_and_runs_a_cell_through_the_proxy(hub):
    url, token, log = hub
    api = f"{url}/hub/api"
    assert call(f"{api}/users/{USER}", token, "POST")[0] == 201
    status, _ = call(f"{api}/users/{USER}/server", token, "POST")
    assert status in (201, 202), status

    def ready():
        _, user = call(f"{api}/users/{USER}", token)
        server = user["servers"].get("", {})
        return server.get("ready") and server

    server = wait_for("the user's server ready", ready, 180, log)
    base = f"{url}{server['url']}"
    assert server["url"] == f"/user/{USER}/"

    # The single-user server, reached through the proxy, knows the kernel.
    status, specs = call(f"{base}api/kernelspecs", token)
    assert status == 200, specs
    assert "rangeo" in specs["kernelspecs"], sorted(specs["kernelspecs"])
    assert specs["kernelspecs"]["rangeo"]["spec"]["display_name"] == "Rust (rangeo)"

    # A rangeo kernel runs a cell: the prelude's labeled arrays, a result and its HTML repr.
    status, kernel = call(f"{base}api/kernels", token, "POST", {"name": "rangeo"})
    assert status == 201, kernel
    ws = f"{base.replace('http://', 'ws://')}api/kernels/{kernel['id']}/channels"
    code = 'let air = DataArray::new(["time"], vec![271.5, 273.0, 274.5])?.with_name("air");\nair.mean(..)?.item::<f64>()?'
    reply, iopub = asyncio.run(run_cell(ws, token, code))
    assert reply["content"]["status"] == "ok", reply["content"]
    (result,) = [m for m in iopub if m["msg_type"] == "execute_result"]
    assert result["content"]["data"]["text/plain"] == "273.0"
    reply, iopub = asyncio.run(run_cell(ws, token, "air"))
    (result,) = [m for m in iopub if m["msg_type"] == "execute_result"]
    assert "rg-repr" in result["content"]["data"]["text/html"], "a variable of an earlier cell, shown as HTML"
    assert call(f"{base}api/kernels/{kernel['id']}", token, "DELETE")[0] == 204
