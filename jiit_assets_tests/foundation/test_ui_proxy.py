"""The Dagster UI is reachable only through an authenticating proxy: the documented nginx config, tested.

Debian's nginx runs ``scripts/proxy/dagster-ui.nginx.conf`` (its placeholders filled in) in front of
a stub ASGI app served by uvicorn the way dagster-webserver serves the UI: without credentials the
answer is 401, with them the request and a WebSocket reach the app, and the password does not.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.sync.client import connect

from jiit_assets_tests.fixtures.servers import REPO_ROOT, free_port

CONFIG = REPO_ROOT / "scripts" / "proxy" / "dagster-ui.nginx.conf"
USER, PASSWORD = "operator", "c0rrect horse:battery@staple"


async def stub_ui(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers like a web UI: HTTP requests echo what arrived, WebSockets echo one message."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
    elif scope["type"] == "http":
        headers = {key.decode(): value.decode() for key, value in scope["headers"]}
        body = json.dumps(
            {"path": scope["path"], "query": scope["query_string"].decode(), "headers": headers}
        )
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        message = await receive()
        await send({"type": "websocket.send", "text": f"echo {message.get('text')}"})
        await send({"type": "websocket.close"})


@dataclass
class Proxy:
    url: str
    ca: Path


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "proxy.crt", directory / "proxy.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _htpasswd(directory: Path) -> Path:
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", "-stdin"], input=PASSWORD, text=True, check=True, capture_output=True
    ).stdout.strip()
    path = directory / "dagster-ui.htpasswd"
    path.write_text(f"{USER}:{hashed}\n")
    return path


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is missing: run `make system-deps` (installs Debian's nginx-light)")
    directory = tmp_path_factory.mktemp("proxy")
    upstream_port, listen_port = free_port(), free_port()
    server = uvicorn.Server(
        uvicorn.Config(stub_ui, host="127.0.0.1", port=upstream_port, log_level="warning")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    _wait_for(upstream_port)
    cert, key = _certificate(directory)
    values = {"@LISTEN@": f"127.0.0.1:{listen_port}", "@CERT@": str(cert), "@KEY@": str(key),
              "@HTPASSWD@": str(_htpasswd(directory)), "@UPSTREAM@": f"127.0.0.1:{upstream_port}"}  # fmt: skip
    site = CONFIG.read_text()
    for placeholder, value in values.items():
        site = site.replace(placeholder, value)
    assert not re.search(r"@[A-Z]+@", site)
    (directory / "dagster-ui.conf").write_text(site)
    # The test's own nginx.conf around the site file, as Debian's includes sites-enabled/ in `http`.
    # Under root the workers would drop to `nobody`, which cannot read the test's private temp dir.
    user = "user root;" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(
        f"{user} daemon off; worker_processes 1; pid {directory}/nginx.pid;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {directory}/body; proxy_temp_path {directory}/proxy;\n"
        f"  include {directory}/dagster-ui.conf; }}\n"
    )
    process = subprocess.Popen(
        [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"https://127.0.0.1:{listen_port}/", verify=trust, timeout=0.5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                time.sleep(0.05)
        yield Proxy(url=f"127.0.0.1:{listen_port}", ca=cert)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
        server.should_exit = True
        thread.join(timeout=10)


def test_without_credentials_the_ui_answers_401(proxy: Proxy) -> None:
    for auth in (None, (USER, "wrong"), ("someone", PASSWORD)):
        response = httpx.get(
            f"https://{proxy.url}/runs", auth=auth, verify=ssl.create_default_context(cafile=str(proxy.ca))
        )
        assert response.status_code == 401, auth
        assert response.headers["www-authenticate"].startswith("Basic")
        assert "path" not in response.text  # the app was never asked


def test_with_credentials_requests_reach_the_ui_without_the_password(proxy: Proxy) -> None:
    response = httpx.get(
        f"https://{proxy.url}/graphql?query=1",
        auth=(USER, PASSWORD),
        verify=ssl.create_default_context(cafile=str(proxy.ca)),
    )
    assert response.status_code == 200
    seen = response.json()
    assert (seen["path"], seen["query"]) == ("/graphql", "query=1")
    assert "authorization" not in seen["headers"]
    assert seen["headers"]["x-forwarded-proto"] == "https"


def test_websockets_pass_through_with_credentials(proxy: Proxy) -> None:
    context = ssl.create_default_context(cafile=str(proxy.ca))
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    with connect(
        f"wss://{proxy.url}/graphql", ssl=context, additional_headers={"Authorization": f"Basic {token}"}
    ) as websocket:
        websocket.send("ping")
        assert websocket.recv(timeout=10) == "echo ping"


def test_the_ui_is_started_on_loopback_only() -> None:
    """The project never binds the webserver to every interface; the proxy is the way in."""
    for path in (
        REPO_ROOT / "README.md",
        *sorted((REPO_ROOT / "scripts").rglob("*.sh")),
        REPO_ROOT / "Makefile",
    ):
        text = path.read_text()
        for line in text.splitlines():
            host = re.search(r"dagster(?:-webserver| dev)\b.*\s-h\s+\"?([^\s\"]+)", line)
            if host is None:
                continue
            if host.group(1).startswith("$"):
                # A script's setting: its default must be loopback (e.g. HOST=${DAGSTER_HOST:-127.0.0.1}).
                variable = host.group(1).strip("${}")
                assert re.search(rf"{variable}=\$\{{\w+:-127\.0\.0\.1\}}", text), (
                    f"{path.name}: {line.strip()}"
                )
            else:
                assert host.group(1) == "127.0.0.1", f"{path.name}: {line.strip()}"
