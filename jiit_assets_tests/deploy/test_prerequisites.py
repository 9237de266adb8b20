"""A newcomer's prerequisites: each missing piece is named in one line with the two ways out, and a
machine without Go installs and runs `make demo` when MONGODB_URI points at an existing server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from jiit_assets_tests.deploy.stack import base_env, run_script, scratch_dir, wait_for
from jiit_assets_tests.fixtures.servers import REPO_ROOT, free_port


def path_without_go() -> str:
    entries = os.environ.get("PATH", "").split(os.pathsep)
    kept = [entry for entry in entries if entry and not (Path(entry) / "go").exists()]
    assert kept != entries or not any((Path(entry) / "go").exists() for entry in entries)
    return os.pathsep.join(kept)


@pytest.fixture
def no_go_env(tmp_path: Path) -> dict[str, str]:
    """No Go on PATH and no local database built: the state of a fresh clone on a machine without Go."""
    env = base_env(PATH=path_without_go(), JIIT_FERRETDB=str(tmp_path / "not-built" / "ferretdb-sqlite"))
    assert subprocess.run(["bash", "-c", "command -v go"], env=env, check=False).returncode == 1
    return env


def test_missing_go_is_named_with_both_ways_out(no_go_env: dict[str, str]) -> None:
    result = run_script("prereqs.sh", "install", env=no_go_env, check=False)
    assert result.returncode == 1
    [line, summary] = result.stderr.strip().splitlines()
    assert line.startswith("missing: Go 1.22+")
    assert "install it (" in line and "or set MONGODB_URI to an existing MongoDB" in line
    assert "make install" in summary


def test_go_is_not_needed_when_mongodb_uri_is_set(no_go_env: dict[str, str]) -> None:
    env = {**no_go_env, "MONGODB_URI": "mongodb://db.example.org:27017/"}
    assert run_script("prereqs.sh", "install", env=env, check=False).returncode == 0
    assert run_script("prereqs.sh", "embedded-db", "demo", env=env, check=False).returncode == 1
    made = subprocess.run(
        ["make", "--no-print-directory", "embedded-db"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "MONGODB_URI is set: the local database (FerretDB, built with Go) is not needed" in made.stdout


def test_a_busy_port_is_named_with_the_setting_that_moves_it() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        env = base_env(MONGODB_URI="mongodb://db.example.org:27017/", DAGSTER_PORT=str(port))
        result = run_script("prereqs.sh", "serve", env=env, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"busy: port {port} is in use — stop what listens there" in lines[0]
    assert lines[0].endswith("or set DAGSTER_PORT to a free port")


LOCATION_STATUS = "query { workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"


def loaded(url: str) -> bool | None:
    try:
        response = httpx.post(f"{url}/graphql", json={"query": LOCATION_STATUS}, timeout=10)
        entries = response.json()["data"]["workspaceOrError"]["locationEntries"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    return True if any(e["name"] == "jiit_assets" and e["loadStatus"] == "LOADED" for e in entries) else None


@pytest.fixture
def demo_folder() -> Iterator[Path]:
    with scratch_dir("jiit-demo-") as path:
        yield path


def test_demo_starts_without_go_when_mongodb_uri_is_set(
    no_go_env: dict[str, str], mongo_uri: str, demo_folder: Path
) -> None:
    database = f"demo_{uuid.uuid4().hex[:10]}"
    port = free_port()
    env = {
        **no_go_env,
        "MONGODB_URI": mongo_uri,
        "MONGODB_DATABASE": database,
        "DAGSTER_PORT": str(port),
        "DAGSTER_HOME": str(demo_folder / "dagster_home"),
        "JIIT_RUN_DIR": str(demo_folder / "run"),
        "JIIT_STANDIN_ARGS": "--free-ports",
        # The stand-ins' mail folder is a temporary directory they leave behind when stopped.
        "TMPDIR": str(demo_folder / "tmp"),
    }
    (demo_folder / "tmp").mkdir()
    log = demo_folder / "demo.log"
    demo = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for("the demo's code location", lambda: loaded(url) if demo.poll() is None else False)
        assert demo.poll() is None, log.read_text()
        assert "not starting the local database" in log.read_text()
    finally:
        run_script("demo.sh", "stop", env=env, check=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            demo.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.pid, signal.SIGKILL)
        demo.wait()
        client: MongoClient[dict[str, Any]]
        with MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
            client.drop_database(database)
    assert not (demo_folder / "run" / "standins.pid").exists()
