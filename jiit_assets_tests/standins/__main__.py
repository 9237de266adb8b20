"""``python -m jiit_assets_tests.standins``: every outside service the demo needs, on loopback ports.

For each service whose real settings are not in the environment (``.env`` included: ``make demo``
loads it first), this starts the local stand-in (a Dovecot server for the mailbox), prepares demo
data (fresh portal notices and mails; Web Push subscriptions minted by the push stand-in and stored
in ``push_subscriptions``; a demo Telegram subscriber in ``users``) and writes the settings that
point the pipeline at it to an env file (``.run/standins.env``, shell syntax) and a JSON twin
(``.run/standins.json``, for tests). A service whose variables are already set is left alone, so
setting e.g. ``TELEGRAM_BOT_TOKEN`` switches to the real Telegram with no code change. Runs in the
foreground until SIGINT or SIGTERM, then stops the stand-ins and removes the files so a later start
never reads stale ports or keys.

What the Telegram and push stand-ins receive is listed on their pages (printed at start) and
logged to standard output.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from jiit_assets.defs.delivery.webpush_fanout import subscription_document
from jiit_assets.defs.delivery.webpush_resource import b64url, public_key_of
from jiit_assets.lib.mongo import DEFAULT_MONGODB_DATABASE, DEFAULT_MONGODB_URI, MongoResource
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS, USERS
from jiit_assets.lib.text import IST
from jiit_assets_tests.standins.college_site import start_college_site_standin
from jiit_assets_tests.standins.mailbox import dovecot_binary, start_mailbox_standin
from jiit_assets_tests.standins.push import start_push_standin
from jiit_assets_tests.standins.superset import start_superset_standin
from jiit_assets_tests.standins.telegram import DEFAULT_TOKEN, start_telegram_standin

LOGGER = logging.getLogger("jiit_assets_tests.standins")

DEFAULT_PORTS = {"superset": 8101, "college_site": 8102, "telegram": 8103, "push": 8104, "mailbox": 8143}
# The demo's Telegram channel (TELEGRAM_CHAT_ID) and one subscriber who started the bot privately.
DEMO_CHANNEL_ID = "-1001000000001"
# The operator chat that receives run-failure and stale-source alerts in the demo.
DEMO_ADMIN_CHAT_ID = "100000099"
DEMO_SUBSCRIBER = {
    "_id": "demo-student",
    "user_id": 100000001,
    "chat_id": 100000001,
    "username": "demo_student",
    "first_name": "Demo",
    "last_name": "Student",
    "is_active": True,
}
# Portal fixtures republished as today's news: a shortlist, a schedule change and a webinar.
DEMO_NOTICE_FIXTURES = ("n-sl-acme-ot", "n-up-01", "n-wb-01")
# Push services reject placeholder contacts (see resources/webpush.py); this one only reaches the stand-in.
DEMO_VAPID_SUBJECT = "mailto:placement-demo@jiit.ac.in"


@dataclass
class Running:
    """One started stand-in: the settings that point the pipeline at it, and how to stop it."""

    name: str
    url: str
    stop: Callable[[], None]
    env: dict[str, str] = field(default_factory=dict)
    page: str | None = None  # inspection page, for the services that receive notices
    note: str = ""
    # Removes the demo recipients it stored, so they never outlive the stand-in that answers for them.
    cleanup: Callable[[MongoResource], None] | None = None


def configured(environ: Mapping[str, str], *names: str) -> bool:
    """Whether the real service is configured: all its key variables are non-empty."""
    return all(environ.get(name, "").strip() for name in names)


def mongo_from(environ: Mapping[str, str]) -> MongoResource:
    return MongoResource(
        uri=environ.get("MONGODB_URI", "").strip() or DEFAULT_MONGODB_URI,
        database=environ.get("MONGODB_DATABASE", "").strip() or DEFAULT_MONGODB_DATABASE,
    )


def demo_notices(today: date) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """Today's demo notices: copies of portal fixtures, published yesterday evening (IST).

    The fixtures are months old, and the notices queue skips anything published before its
    backlog window, so without these a fresh demo would deliver nothing. Ids and times depend
    only on the day: restarting the demo the same day re-serves the same notices unchanged (no
    re-delivery), and each new day brings new ones.
    """
    fixtures = {
        item["notice"]["identifier"]: item
        for item in json.loads(
            resources.files("jiit_assets_tests.standins")
            .joinpath("data", "superset", "notices.json")
            .read_text("utf-8")
        )
    }
    evening = datetime.combine(today, time(18, 0), tzinfo=IST) - timedelta(days=1)
    notices = []
    for index, identifier in enumerate(DEMO_NOTICE_FIXTURES):
        item = fixtures[identifier]
        published = int((evening + timedelta(minutes=30 * index)).timestamp() * 1000)
        notice = {
            **item["notice"],
            "identifier": f"demo-{today:%Y%m%d}-{identifier}",
            "publishedAt": published,
            "lastModifiedOn": published,
        }
        notices.append((notice, tuple(item["accounts"])))
    return notices


def demo_deadlines(deadlines: dict[str, int], now: datetime) -> dict[str, int]:
    """The fixture jobs' deadlines moved forward by whole days, the earliest to tomorrow or later.

    The fixtures' deadlines are months in the past, so a demo would show an empty calendar and
    queue no reminders. Shifting by whole days keeps each deadline's time of day and the gaps
    between them, and depends only on the day, so a restart the same day changes nothing.
    """
    if not deadlines:
        return {}
    earliest = datetime.fromtimestamp(min(deadlines.values()) / 1000, UTC)
    days = max(0, (now.date() - earliest.date()).days + 1)
    shift = int(timedelta(days=days).total_seconds() * 1000)
    return {job_id: deadline + shift for job_id, deadline in deadlines.items()}


def start_superset(port: int) -> Running:
    standin = start_superset_standin(port=port)
    listed = {
        job_id: standin.job_listing(job_id).get("jobProfileApplicationDeadline")
        for job_id in standin.job_ids()
    }
    fixed = {job_id: value for job_id, value in listed.items() if isinstance(value, int)}
    for job_id, deadline in demo_deadlines(fixed, datetime.now(UTC)).items():
        standin.update_listing(job_id, jobProfileApplicationDeadline=deadline)
    fresh = demo_notices(datetime.now(IST).date())
    for notice, accounts in fresh:
        standin.add_notice(notice, accounts)
    return Running(
        "SuperSet portal",
        standin.url,
        standin.stop,
        env={
            "SUPERSET_BASE_URL": standin.url,
            "SUPERSET_CREDENTIALS": standin.credentials_json,
            "SUPERSET_PUBLIC_KEY_PEM": standin.public_key_pem,
        },
        note=f"{len(standin.accounts)} demo accounts, {len(fresh)} notices published since yesterday",
    )


def start_college_site(port: int) -> Running:
    standin = start_college_site_standin(port=port)
    return Running("college website", standin.url, standin.stop, env={"OFFICIAL_SITE_URL": standin.url})


def start_mailbox(port: int) -> Running:
    standin = start_mailbox_standin(port=port)
    return Running(
        "placement mailbox",
        standin.url,
        standin.stop,
        env={
            "IMAP_HOST": standin.host,
            "IMAP_PORT": str(standin.port),
            "IMAP_USER": standin.user,
            "IMAP_PASSWORD": standin.password,
            "IMAP_FOLDER": "INBOX",
            "IMAP_TLS_MODE": "plain",
        },
        note=f"Dovecot, {standin.messages} unread mails from yesterday",
    )


def forget_demo_subscriber(mongo: MongoResource) -> None:
    mongo.collection(USERS).delete_one({"_id": DEMO_SUBSCRIBER["_id"]})


def start_telegram(port: int, mongo: MongoResource) -> Running:
    standin = start_telegram_standin(port=port, token=DEFAULT_TOKEN)
    now = datetime.now(UTC)
    subscriber = {key: value for key, value in DEMO_SUBSCRIBER.items() if key != "_id"}
    mongo.collection(USERS).update_one(
        {"_id": DEMO_SUBSCRIBER["_id"]},
        {"$set": {**subscriber, "updated_at": now}, "$setOnInsert": {"created_at": now}},
        upsert=True,
    )
    return Running(
        "Telegram Bot API",
        standin.url,
        standin.stop,
        env={
            "TELEGRAM_BOT_TOKEN": standin.token,
            "TELEGRAM_CHAT_ID": DEMO_CHANNEL_ID,
            "TELEGRAM_API_BASE_URL": standin.url,
            "TELEGRAM_ADMIN_CHAT_ID": DEMO_ADMIN_CHAT_ID,
        },
        page=f"{standin.url}/",
        note=(
            f"channel {DEMO_CHANNEL_ID}, subscriber {DEMO_SUBSCRIBER['chat_id']} in `users`, "
            f"operator alerts to {DEMO_ADMIN_CHAT_ID}"
        ),
        cleanup=forget_demo_subscriber,
    )


def new_vapid_keys() -> tuple[str, str]:
    """A fresh P-256 pair: (raw base64url private key, uncompressed base64url public key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big")), public_key_of(key)


def start_push(port: int, mongo: MongoResource, subscriptions: int) -> Running:
    standin = start_push_standin(port=port)
    private_key, public_key = new_vapid_keys()
    collection = mongo.collection(PUSH_SUBSCRIPTIONS)
    # Subscriptions minted by an earlier start are unknown to this stand-in (their keys died with
    # it): drop them rather than let every delivery discover that through 404s.
    minted_here = {"endpoint": {"$regex": f"^{re.escape(standin.url)}/push/"}}
    collection.delete_many(minted_here)
    now = datetime.now(UTC)
    for _ in range(subscriptions):
        document = subscription_document(standin.new_subscription(application_server_key=public_key))
        collection.update_one(
            {"_id": document.pop("_id")},
            {"$set": document, "$setOnInsert": {"created_at": now}},
            upsert=True,
        )

    def forget_subscriptions(mongo: MongoResource) -> None:
        mongo.collection(PUSH_SUBSCRIPTIONS).delete_many(minted_here)

    return Running(
        "Web Push service",
        standin.url,
        standin.stop,
        env={
            "VAPID_PRIVATE_KEY": private_key,
            "VAPID_PUBLIC_KEY": public_key,
            "VAPID_SUBJECT": DEMO_VAPID_SUBJECT,
            # Push endpoints must be https on a known push service; the local stand-in is allowed
            # only because the demo names it here (for delivery and for `jiit-assets serve`).
            "WEB_PUSH_EXTRA_ORIGINS": standin.url,
        },
        page=f"{standin.url}/",
        note=f"{subscriptions} browser subscriptions in `push_subscriptions`",
        cleanup=forget_subscriptions,
    )


def start_all(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[list[Running], list[str]]:
    """Start every stand-in the environment does not replace; also return what was left to real services."""
    port = {name: 0 if args.free_ports else getattr(args, f"{name}_port") for name in DEFAULT_PORTS}
    running: list[Running] = []
    real: list[str] = []
    mongo: MongoResource | None = None

    def database() -> MongoResource:
        nonlocal mongo
        if mongo is None:
            mongo = mongo_from(environ)
            mongo.ping()
        return mongo

    try:
        if configured(environ, "SUPERSET_CREDENTIALS"):
            real.append("SuperSet portal (SUPERSET_CREDENTIALS is set)")
        else:
            running.append(start_superset(port["superset"]))
        if configured(environ, "OFFICIAL_SITE_URL"):
            real.append("college website (OFFICIAL_SITE_URL is set)")
        else:
            running.append(start_college_site(port["college_site"]))
        if configured(environ, "IMAP_HOST"):
            real.append("placement mailbox (IMAP_HOST is set)")
        elif dovecot_binary() is None:
            LOGGER.warning(
                "Dovecot is not installed (`make system-deps`): e-mail ingestion will log that IMAP is "
                "not configured and skip."
            )
        else:
            running.append(start_mailbox(port["mailbox"]))
        if configured(environ, "TELEGRAM_BOT_TOKEN"):
            real.append("Telegram (TELEGRAM_BOT_TOKEN is set)")
        else:
            running.append(start_telegram(port["telegram"], database()))
        if configured(environ, "VAPID_PRIVATE_KEY"):
            real.append("Web Push (VAPID_PRIVATE_KEY is set)")
        else:
            running.append(start_push(port["push"], database(), args.push_subscriptions))
    except BaseException:
        stop_all(running)
        raise
    finally:
        if mongo is not None:
            mongo.client.close()
    return running, real


def stop_all(running: list[Running]) -> None:
    for service in reversed(running):
        try:
            service.stop()
        except Exception as error:  # keep stopping the others
            LOGGER.warning("stopping the %s stand-in failed: %s", service.name, error)


def remove_demo_recipients(running: list[Running], environ: Mapping[str, str]) -> None:
    """Without its stand-in, a demo recipient would be a stranger's chat id or a dead endpoint."""
    cleanups = [service.cleanup for service in running if service.cleanup is not None]
    if not cleanups:
        return
    mongo = mongo_from(environ)
    try:
        for cleanup in cleanups:
            cleanup(mongo)
    except Exception as error:  # the database may already be gone; the next start cleans up too
        LOGGER.warning("could not remove the demo recipients: %s", error)
    finally:
        mongo.client.close()


def env_file_text(env: Mapping[str, str]) -> str:
    lines = ["# Written by `python -m jiit_assets_tests.standins`; removed when it stops. Do not edit."]
    lines += [f"{name}={shlex.quote(value)}" for name, value in sorted(env.items())]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Readers (demo.sh, tests) wait for the file to exist, so it must appear complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.chmod(partial, 0o600)  # holds the demo's VAPID private key
    partial.replace(path)


def summary(running: list[Running], real: list[str], env_file: Path) -> str:
    lines = ["", "Stand-ins running on 127.0.0.1:"]
    for service in running:
        lines.append(f"  {service.name:<18} {service.url}" + (f"  ({service.note})" if service.note else ""))
    lines += [f"  real service:      {description}" for description in real]
    pages = [service for service in running if service.page]
    if pages:
        lines.append("What the notification stand-ins received:")
        lines += [f"  {service.name:<18} {service.page}" for service in pages]
    lines.append(f"Settings for the pipeline: {env_file}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jiit_assets_tests.standins",
        description="Start the local stand-ins of every outside service not configured in the environment.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".run/standins.env"))
    for name, default in DEFAULT_PORTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}-port", type=int, default=default, metavar="PORT")
    parser.add_argument("--free-ports", action="store_true", help="pick free ports instead (tests)")
    parser.add_argument("--push-subscriptions", type=int, default=2, help="demo browser subscriptions")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stdout)
    stopping = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        del signum, frame
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    env_file: Path = args.env_file
    json_file = env_file.with_suffix(".json")
    for stale in (env_file, json_file):
        stale.unlink(missing_ok=True)
    running, real = start_all(args, os.environ)
    env = {name: value for service in running for name, value in service.env.items()}
    try:
        pages = {service.name: service.page for service in running if service.page}
        write_atomically(json_file, json.dumps({"env": env, "pages": pages}, indent=2) + "\n")
        write_atomically(env_file, env_file_text(env))
        print(summary(running, real, env_file), flush=True)
        stopping.wait()
    finally:
        for path in (env_file, json_file):
            path.unlink(missing_ok=True)
        stop_all(running)
        remove_demo_recipients(running, os.environ)
        LOGGER.info("stand-ins stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
