"""`jiit-assets vapid | subscriptions | users`: keys and recipients of notification delivery.

* ``vapid generate`` prints a fresh P-256 key pair as ``.env`` lines (raw base64url private key and
  uncompressed base64url public key: the formats pywebpush and browsers accept).
* ``subscriptions add FILE.json`` stores browser ``PushSubscription`` JSON (one object or a list),
  checked like the browser API checks it (push_subscription.py: https push-service endpoints only,
  ``WEB_PUSH_ALLOWED_HOSTS`` / ``WEB_PUSH_EXTRA_ORIGINS``, valid keys);
  ``subscriptions list``; ``subscriptions remove ENDPOINT`` (or subscription id).
* ``users list`` shows Telegram subscribers and whether they are active.

The database is MONGODB_URI / MONGODB_DATABASE with the code location's defaults. Push endpoints are
capability URLs, so listings show only their origin and the subscription id.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from cryptography.hazmat.primitives.asymmetric import ec

from jiit_assets.defs.delivery.webpush_fanout import subscription_id
from jiit_assets.defs.delivery.webpush_resource import b64url, public_key_of
from jiit_assets.defs.subscribers.push_subscription import (
    SubscriptionError,
    endpoint_policy_from_env,
    validate_subscription,
)
from jiit_assets.defs.subscribers.subscription_store import SubscribeRequest, store_subscription
from jiit_assets.lib.mongo import DEFAULT_MONGODB_DATABASE, DEFAULT_MONGODB_URI, MongoResource
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS, USERS


def register(commands: Any) -> None:
    """Add this module's subcommands to an argparse subparsers object."""
    vapid = commands.add_parser("vapid", help="VAPID keys for Web Push")
    vapid_commands = vapid.add_subparsers(dest="vapid_command", required=True)
    vapid_commands.add_parser("generate", help="print a new VAPID key pair as .env lines").set_defaults(
        handler=_vapid_generate
    )

    subscriptions = commands.add_parser("subscriptions", help="Web Push subscriptions")
    sub_commands = subscriptions.add_subparsers(dest="subscriptions_command", required=True)
    add = sub_commands.add_parser("add", help="store PushSubscription JSON from a file")
    add.add_argument("file", type=Path, help="JSON file: one PushSubscription object or a list of them")
    add.set_defaults(handler=_subscriptions_add)
    sub_commands.add_parser("list", help="list stored subscriptions").set_defaults(
        handler=_subscriptions_list
    )
    remove = sub_commands.add_parser("remove", help="delete a subscription")
    remove.add_argument("endpoint", help="the subscription's endpoint URL (or its id)")
    remove.set_defaults(handler=_subscriptions_remove)

    users = commands.add_parser("users", help="Telegram subscribers")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    user_commands.add_parser("list", help="list subscribers").set_defaults(handler=_users_list)


def _mongo() -> MongoResource:
    return MongoResource(
        uri=os.environ.get("MONGODB_URI", "").strip() or DEFAULT_MONGODB_URI,
        database=os.environ.get("MONGODB_DATABASE", "").strip() or DEFAULT_MONGODB_DATABASE,
    )


def _vapid_generate(args: argparse.Namespace) -> int:
    del args
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    print("# Web Push VAPID keys: keep the private key secret; the web app subscribes with the public key.")
    print(f"VAPID_PRIVATE_KEY={private}")
    print(f"VAPID_PUBLIC_KEY={public_key_of(key)}")
    return 0


def _subscriptions_add(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{args.file} is not valid JSON ({error.msg} at line {error.lineno})") from None
    items = data if isinstance(data, list) else [data]
    policy = endpoint_policy_from_env()
    requests = []
    # Every item is checked before any is stored: a file with one bad subscription stores nothing.
    for number, item in enumerate(items, start=1):
        try:
            requests.append(SubscribeRequest(validate_subscription(item, policy), None, None))
        except SubscriptionError as error:
            where = f"item {number} of {args.file}" if isinstance(data, list) else str(args.file)
            raise ValueError(f"{where}: {error}") from None
    collection = _mongo().collection(PUSH_SUBSCRIPTIONS)
    added = 0
    for request in requests:
        added += store_subscription(collection, request, source="cli")
        print(f"{request.subscription.id}  {_origin(request.subscription.endpoint)}")
    print(f"{added} added, {len(requests) - added} already stored")
    return 0


def _subscriptions_list(args: argparse.Namespace) -> int:
    del args
    collection = _mongo().collection(PUSH_SUBSCRIPTIONS)
    count = 0
    for document in collection.find({}, {"endpoint": 1, "created_at": 1}).sort("_id", 1):
        created = document.get("created_at")
        print(f"{document['_id']}  {_origin(str(document.get('endpoint', '')))}  {created or ''}".rstrip())
        count += 1
    print(f"{count} subscriptions")
    return 0


def _subscriptions_remove(args: argparse.Namespace) -> int:
    target = str(args.endpoint).strip()
    key = subscription_id(target) if "://" in target else target
    result = _mongo().collection(PUSH_SUBSCRIPTIONS).delete_one({"_id": key})
    if result.deleted_count == 0:
        raise ValueError(f"no subscription {key}")
    print(f"removed {key}")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    del args
    collection = _mongo().collection(USERS)
    fields = {
        "user_id": 1,
        "chat_id": 1,
        "username": 1,
        "first_name": 1,
        "is_active": 1,
        "deactivated_reason": 1,
    }
    count = active = 0
    for user in collection.find({}, fields).sort("_id", 1):
        chat = user.get("chat_id") if user.get("chat_id") is not None else user.get("user_id")
        name = user.get("username") or user.get("first_name") or ""
        state = (
            "active" if user.get("is_active") else f"inactive {user.get('deactivated_reason') or ''}".rstrip()
        )
        print(f"{chat}  {name}  {state}")
        count += 1
        active += 1 if user.get("is_active") else 0
    print(f"{count} users, {active} active")
    return 0


def _origin(endpoint: str) -> str:
    parsed = urlparse(endpoint)
    return f"{parsed.scheme}://{parsed.netloc}"
