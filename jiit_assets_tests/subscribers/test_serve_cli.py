"""`jiit-assets serve` as an operator and a student's browser use it, with the push stand-in."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pywebpush import webpush

from jiit_assets.cli import main
from jiit_assets.defs.delivery.webpush_fanout import load_subscriptions
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS
from jiit_assets_tests.fixtures.notify import VAPID_SUBJECT
from jiit_assets_tests.fixtures.servers import free_port, wait_for_port


@pytest.fixture
def database_env(mongo, monkeypatch):
    monkeypatch.setenv("MONGODB_URI", mongo.uri)
    monkeypatch.setenv("MONGODB_DATABASE", mongo.database)
    return mongo


@pytest.fixture
def serve(database_env, vapid_keys, push_standin, tmp_path, monkeypatch):
    """The real command in a process of its own, configured like `make demo` configures it."""
    monkeypatch.setenv("WEB_PUSH_EXTRA_ORIGINS", push_standin.url)  # for `subscriptions list/add` too
    port = free_port()
    env = {
        **os.environ,
        "VAPID_PUBLIC_KEY": vapid_keys.public,
        "WEB_PUSH_EXTRA_ORIGINS": push_standin.url,
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("jiit-assets")), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert "Subscription page: http://127.0.0.1:" in log.read_text()


def test_subscribe_list_push_and_unsubscribe(serve, database_env, vapid_keys, push_standin, capsys):
    with httpx.Client(base_url=serve) as client:
        key = client.get("/api/push/vapid-key").json()["publicKey"]
        assert key == vapid_keys.public
        # A subscription minted by the push stand-in over HTTP, as a person would in the demo.
        minted = httpx.post(f"{push_standin.url}/_standin/subscriptions", json={"applicationServerKey": key})
        assert minted.status_code == 201
        subscription = minted.json()
        answer = client.post("/api/push/subscribe", json={**subscription, "profile": {"branch": "ECE"}})
        assert answer.status_code == 201, answer.text
        subscription_id = answer.json()["id"]

        assert main(["subscriptions", "list"]) == 0
        listing = capsys.readouterr().out
        assert subscription_id in listing and "1 subscriptions" in listing
        assert subscription["endpoint"] not in listing

        # What was stored is what the delivery part reads, and the stand-in decrypts a push to it.
        (stored,) = load_subscriptions(database_env.collection(PUSH_SUBSCRIPTIONS))
        webpush(
            stored.info(),
            data='{"title": "hello"}',
            vapid_private_key=vapid_keys.private,
            vapid_claims={"sub": VAPID_SUBJECT, "aud": push_standin.url},
            ttl=60,
        )
        assert [p.payload for p in push_standin.received_for(stored.endpoint)] == [{"title": "hello"}]

        bad = client.post(
            "/api/push/subscribe", json={**subscription, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
        )
        assert bad.status_code == 400 and bad.headers["content-type"] == "application/json"

        gone = client.post("/api/push/unsubscribe", json={"endpoint": subscription["endpoint"]})
        assert gone.json()["removed"] is True
        assert client.get("/health").json()["status"] == "healthy"

    assert main(["subscriptions", "list"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 subscriptions")


def test_serve_refuses_bad_settings_before_listening(database_env, monkeypatch, capsys):
    monkeypatch.setenv("VAPID_PUBLIC_KEY", "not-a-key")
    assert main(["serve", "--port", str(free_port())]) == 1
    assert "VAPID_PUBLIC_KEY is not an uncompressed P-256 public key" in capsys.readouterr().err
    monkeypatch.delenv("VAPID_PUBLIC_KEY")
    assert main(["serve", "--port", "99999"]) == 1
    assert "--port 99999 is not a port number" in capsys.readouterr().err


def test_serve_names_an_unreachable_database_without_its_password(monkeypatch, capsys):
    monkeypatch.setenv(
        "MONGODB_URI", f"mongodb://admin:s3cret@127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=500"
    )
    assert main(["serve", "--port", str(free_port())]) == 1
    error = capsys.readouterr().err
    assert "Cannot reach MongoDB" in error and "s3cret" not in error


def test_subscriptions_add_checks_like_the_api(database_env, push_standin, tmp_path, monkeypatch, capsys):
    minted = push_standin.new_subscription()
    file = tmp_path / "subscriptions.json"
    file.write_text(json.dumps([minted]))
    monkeypatch.delenv("WEB_PUSH_EXTRA_ORIGINS", raising=False)
    assert main(["subscriptions", "add", str(file)]) == 1  # http on loopback, not configured
    assert "item 1 of" in capsys.readouterr().err
    monkeypatch.setenv("WEB_PUSH_EXTRA_ORIGINS", push_standin.url)
    broken = {**push_standin.new_subscription(), "keys": {"p256dh": minted["keys"]["p256dh"], "auth": "AAAA"}}
    file.write_text(json.dumps([minted, broken]))
    assert main(["subscriptions", "add", str(file)]) == 1
    error = capsys.readouterr().err
    assert "item 2 of" in error and "keys.auth: must be 16 bytes (got 3)" in error
    assert database_env.collection(PUSH_SUBSCRIPTIONS).count_documents({}) == 0  # nothing of a bad file
    file.write_text(json.dumps([minted]))
    assert main(["subscriptions", "add", str(file)]) == 0
    assert database_env.collection(PUSH_SUBSCRIPTIONS).find_one({})["source"] == "cli"
