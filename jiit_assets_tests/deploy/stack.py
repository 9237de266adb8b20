"""Runs the project's deploy scripts (scripts/serve.sh, pg.sh, db.sh, backup.sh) as an operator would,
in an isolated installation: its own data and run folders in a temporary directory, free loopback
ports, and no settings file, so a developer's .env or running `make serve` is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pymongo import MongoClient

from jiit_assets_tests.fixtures.servers import REPO_ROOT, free_port

LOCATION = "jiit_assets"
SCRIPT_TIMEOUT = 300
T = TypeVar("T")
# Settings that would point the installation at real services or at the developer's instance.
OUTSIDE_SETTINGS = (
    "MONGODB_URI",
    "MONGODB_DATABASE",
    "DAGSTER_HOME",
    "DAGSTER_PG_HOST",
    "DAGSTER_PG_PORT",
    "DAGSTER_PG_USERNAME",
    "DAGSTER_PG_PASSWORD",
    "DAGSTER_PG_DB",
    "DAGSTER_PORT",
    "DAGSTER_HOST",
    "DAGSTER_CODE_SERVER_HOST",
    "DAGSTER_CODE_SERVER_PORT",
    "DB_PORT",
    "SERVE_PORT",
    "JIIT_DATA_DIR",
    "JIIT_RUN_DIR",
    "JIIT_ENV_FILE",
    "JIIT_BACKUP_DIR",
    "SUPERSET_CREDENTIALS",
    "IMAP_HOST",
    "TELEGRAM_BOT_TOKEN",
    "VAPID_PRIVATE_KEY",
)


def base_env(**settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in OUTSIDE_SETTINGS}
    env.update(JIIT_ENV_FILE="/dev/null", PYTHONUNBUFFERED="1", **settings)
    return env


def run_script(
    script: str, *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", f"scripts/{script}", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{script} {' '.join(args)} exited with {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 180.0) -> T:
    """Polls ``probe`` until it returns something; the deadline only bounds a hang, it asserts nothing."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(1.0)


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder that Debian's ``postgres`` user can reach (pytest's own tmp is root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Installation:
    """One `make serve` installation: its folders and ports, and how to reach it."""

    root: Path
    name: str = "a"
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for setting in (
            "DAGSTER_PORT",
            "DAGSTER_CODE_SERVER_PORT",
            "DAGSTER_PG_PORT",
            "DB_PORT",
            "SERVE_PORT",
        ):
            self.ports.setdefault(setting, free_port())

    @property
    def data_dir(self) -> Path:
        return self.root / f"data-{self.name}"

    @property
    def run_dir(self) -> Path:
        return self.root / f"run-{self.name}"

    @property
    def env(self) -> dict[str, str]:
        return base_env(
            JIIT_DATA_DIR=str(self.data_dir),
            JIIT_RUN_DIR=str(self.run_dir),
            JIIT_BACKUP_DIR=str(self.root / f"backups-{self.name}"),
            **{setting: str(port) for setting, port in self.ports.items()},
        )

    @property
    def mongo_uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports['DB_PORT']}/"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['DAGSTER_PORT']}"

    def script(self, script: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_script(script, *args, env=self.env, check=check)

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60
        )
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return dict(body["data"])

    def postgres_settings(self) -> dict[str, str]:
        lines = (self.data_dir / "postgres.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def logs(self) -> str:
        parts = []
        for path in sorted(self.run_dir.glob("*.log")):
            parts.append(
                f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-30:])
            )
        return "\n".join(parts)


def documents_by_collection(uri: str) -> dict[str, list[Any]]:
    """Every document of every database, sorted by ``_id`` per collection (``db.collection`` keys)."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(uri, serverSelectionTimeoutMS=10_000) as client:
        return {
            f"{database}.{name}": sorted(client[database][name].find({}), key=lambda doc: str(doc["_id"]))
            for database in client.list_database_names()
            if database not in ("admin", "config", "local")
            for name in client[database].list_collection_names()
        }
