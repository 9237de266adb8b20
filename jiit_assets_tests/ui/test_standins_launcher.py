"""`python -m jiit_assets_tests.standins`, what `make demo` starts: stand-ins only where no real service
is configured, demo recipients in the database, settings that really reach the stand-ins."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS, USERS
from jiit_assets_tests.fixtures.servers import with_repository_on_path
from jiit_assets_tests.ui.conftest import SERVICE_VARIABLES, stop_group, wait_for_file


@contextlib.contextmanager
def launch(tmp_path: Path, mongo_uri: str, database: str, **real: str) -> Iterator[dict[str, Any]]:
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env.update(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database, **real)
    env_file = tmp_path / "standins.env"
    log = tmp_path / "standins.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "jiit_assets_tests.standins", "--env-file", str(env_file), "--free-ports"],
        env=with_repository_on_path(env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_file(env_file, process, log)
        info = json.loads(env_file.with_suffix(".json").read_text())
        info["env_file_text"] = env_file.read_text()
        yield info
    finally:
        stop_group(process, signal.SIGTERM, grace=15)
    assert process.returncode == 0, log.read_text()
    assert not env_file.exists(), "the settings file must not outlive the stand-ins"


@pytest.fixture
def database(mongo_uri: str) -> Iterator[str]:
    name = f"launcher_{uuid.uuid4().hex[:10]}"
    yield name
    client: MongoClient[dict[str, Any]]
    with MongoClient(mongo_uri) as client:
        client.drop_database(name)


def test_without_configuration_every_service_gets_a_stand_in(
    tmp_path: Path, mongo_uri: str, database: str
) -> None:
    with launch(tmp_path, mongo_uri, database) as info:
        env = info["env"]
        assert {
            "SUPERSET_BASE_URL",
            "SUPERSET_CREDENTIALS",
            "SUPERSET_PUBLIC_KEY_PEM",
            "OFFICIAL_SITE_URL",
            "TELEGRAM_BOT_TOKEN",
            "TELEGRAM_CHAT_ID",
            "TELEGRAM_API_BASE_URL",
            "VAPID_PRIVATE_KEY",
            "VAPID_PUBLIC_KEY",
            "VAPID_SUBJECT",
            "IMAP_HOST",
            "IMAP_PORT",
            "IMAP_USER",
            "IMAP_PASSWORD",
            "IMAP_TLS_MODE",
        } <= set(env)
        # The settings point at live loopback services.
        telegram = httpx.get(
            f"{env['TELEGRAM_API_BASE_URL']}/bot{env['TELEGRAM_BOT_TOKEN']}/getMe", timeout=10
        )
        assert telegram.json()["ok"] is True
        assert httpx.get(env["OFFICIAL_SITE_URL"], timeout=10).status_code == 200
        assert set(info["pages"]) == {"Telegram Bot API", "Web Push service"}
        assert "Telegram stand-in" in httpx.get(info["pages"]["Telegram Bot API"], timeout=10).text
        # The shell file carries the same values, quoted (the PEM key spans lines).
        assert "SUPERSET_PUBLIC_KEY_PEM='-----BEGIN PUBLIC KEY-----\n" in info["env_file_text"]

        client: MongoClient[dict[str, Any]]
        with MongoClient(mongo_uri) as client:
            subscriptions: list[dict[str, Any]] = list(client[database][PUSH_SUBSCRIPTIONS].find({}))
            users: list[dict[str, Any]] = list(client[database][USERS].find({"is_active": True}))
        push_origin = info["pages"]["Web Push service"].rstrip("/")
        assert len(subscriptions) == 2
        assert all(s["endpoint"].startswith(f"{push_origin}/push/") for s in subscriptions)
        assert [u["chat_id"] for u in users] == [100000001]

    # Once the stand-ins are gone, so are the recipients only they could answer for.
    with MongoClient(mongo_uri) as client:
        assert client[database][USERS].count_documents({}) == 0
        assert client[database][PUSH_SUBSCRIPTIONS].count_documents({}) == 0


def test_configured_services_are_left_to_the_real_ones(tmp_path: Path, mongo_uri: str, database: str) -> None:
    real = {
        "TELEGRAM_BOT_TOKEN": "987654:real-token",
        "VAPID_PRIVATE_KEY": "a-real-key",
        "SUPERSET_CREDENTIALS": '[{"email": "x@mail.jiit.ac.in", "password": "p"}]',
    }
    with launch(tmp_path, mongo_uri, database, **real) as info:
        env = info["env"]
        assert not any(name.startswith(("TELEGRAM_", "VAPID_", "SUPERSET_")) for name in env)
        assert {"OFFICIAL_SITE_URL", "IMAP_HOST"} <= set(env)
        assert info["pages"] == {}
        client: MongoClient[dict[str, Any]]
        with MongoClient(mongo_uri) as client:
            # No demo recipients are invented next to real channels.
            assert client[database][USERS].count_documents({}) == 0
            assert client[database][PUSH_SUBSCRIPTIONS].count_documents({}) == 0
