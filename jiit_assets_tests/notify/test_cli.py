"""`jiit-assets vapid | subscriptions | users` against the test database."""

from __future__ import annotations

import json

import pytest
from py_vapid import Vapid02

from jiit_assets.cli import main
from jiit_assets.defs.delivery.webpush_resource import WebPushResource, load_private_key, public_key_of
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS
from jiit_assets_tests.fixtures.notify import add_users


@pytest.fixture
def database_env(mongo, monkeypatch):
    monkeypatch.setenv("MONGODB_URI", mongo.uri)
    monkeypatch.setenv("MONGODB_DATABASE", mongo.database)
    return mongo


def test_vapid_generate_prints_a_usable_key_pair(capsys):
    assert main(["vapid", "generate"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    private, public = lines["VAPID_PRIVATE_KEY"], lines["VAPID_PUBLIC_KEY"]
    assert public_key_of(load_private_key(private)) == public
    resource = WebPushResource(
        vapid_private_key=private, vapid_public_key=public, vapid_subject="mailto:placement.cell@jiit.ac.in"
    )
    assert isinstance(resource.vapid(), Vapid02)  # pywebpush accepts the raw base64url key


def test_subscriptions_add_list_remove(database_env, push_standin, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WEB_PUSH_EXTRA_ORIGINS", push_standin.url)  # the stand-in is http on loopback
    subscriptions = [push_standin.new_subscription(), push_standin.new_subscription()]
    file = tmp_path / "subscriptions.json"
    file.write_text(json.dumps(subscriptions))
    assert main(["subscriptions", "add", str(file)]) == 0
    assert "2 added, 0 already stored" in capsys.readouterr().out
    assert main(["subscriptions", "add", str(file)]) == 0
    assert "0 added, 2 already stored" in capsys.readouterr().out

    assert main(["subscriptions", "list"]) == 0
    listing = capsys.readouterr().out
    assert "2 subscriptions" in listing and push_standin.url in listing
    assert subscriptions[0]["endpoint"] not in listing  # endpoints are capability URLs
    assert subscriptions[0]["keys"]["auth"] not in listing

    assert main(["subscriptions", "remove", subscriptions[0]["endpoint"]]) == 0
    stored = [d["endpoint"] for d in database_env.collection(PUSH_SUBSCRIPTIONS).find()]
    assert stored == [subscriptions[1]["endpoint"]]
    assert main(["subscriptions", "remove", subscriptions[0]["endpoint"]]) == 1


def test_subscriptions_add_rejects_malformed_files(database_env, tmp_path, capsys):
    file = tmp_path / "bad.json"
    file.write_text('{"endpoint": "not-a-url", "keys": {}}')
    assert main(["subscriptions", "add", str(file)]) == 1
    assert "endpoint: must be an https URL of a push service" in capsys.readouterr().err
    file.write_text("{broken")
    assert main(["subscriptions", "add", str(file)]) == 1
    assert "is not valid JSON" in capsys.readouterr().err
    assert database_env.collection(PUSH_SUBSCRIPTIONS).count_documents({}) == 0


def test_users_list(database_env, capsys):
    add_users(
        database_env,
        {"_id": "u1", "user_id": 901, "chat_id": 901, "username": "ananya", "is_active": True},
        {"_id": "u2", "user_id": 902, "is_active": False, "deactivated_reason": "Forbidden: bot was blocked"},
    )
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "901  ananya  active" in out and "902    inactive Forbidden: bot was blocked" in out
    assert "2 users, 1 active" in out
