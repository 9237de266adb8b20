"""What the browser API accepts and how it lands in ``push_subscriptions``.

The request body is the older system's ``{endpoint, keys: {p256dh, auth}, user_id?}`` (what
``PushSubscription.toJSON()`` gives, plus the campus web app's user id) with an optional
``profile`` of the settings in :mod:`profile`. Unknown fields are refused rather than ignored, so a
client that misspells ``profile`` learns it at once instead of silently receiving everything.

Stored document (the delivery part reads ``endpoint`` and ``keys``; ``jiit-assets subscriptions``
lists and removes by ``_id``)::

    {_id: sha256(endpoint)[:24], endpoint, keys: {p256dh, auth}, user_id?, profile?,
     source: "web" | "cli", created_at, updated_at}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from jiit_assets.defs.subscribers.profile import Profile, ProfileError, parse_settings
from jiit_assets.defs.subscribers.push_subscription import (
    MAX_ENDPOINT_LENGTH,
    EndpointPolicy,
    SubscriptionError,
    ValidSubscription,
    subscription_id,
    validate_subscription,
)
from jiit_assets.defs.subscribers.timing import MODES_FIELD, mode_change_fields

Document = dict[str, Any]
REQUEST_FIELDS = frozenset({"endpoint", "keys", "expirationTime", "user_id", "profile"})
MAX_USER_ID_LENGTH = 128


@dataclass(frozen=True)
class SubscribeRequest:
    subscription: ValidSubscription
    user_id: str | int | None
    profile: Profile | None  # None: keep the stored profile (or none: everything)


def _check_fields(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SubscriptionError("the body must be a JSON object: {endpoint, keys: {p256dh, auth}}.")
    unknown = sorted(str(name) for name in data if name not in REQUEST_FIELDS)
    if unknown:
        raise SubscriptionError(
            f"unknown field {unknown[0]!r}; accepted: {', '.join(sorted(REQUEST_FIELDS))}."
        )
    return data


def _user_id(value: Any) -> str | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SubscriptionError("user_id: a string or an integer.")
    if isinstance(value, int):
        if abs(value) >= 2**63:
            raise SubscriptionError("user_id: out of range.")
        return value
    text = value.strip()
    if not text or len(text) > MAX_USER_ID_LENGTH or not text.isprintable():
        raise SubscriptionError(f"user_id: 1 to {MAX_USER_ID_LENGTH} printable characters.")
    return text


def parse_subscribe(data: Any, policy: EndpointPolicy | None = None) -> SubscribeRequest:
    """A subscribe body checked field by field; ``SubscriptionError``/``ProfileError`` say what is wrong."""
    body = _check_fields(data)
    subscription = validate_subscription(body, policy)
    profile = None
    if body.get("profile") is not None:
        if not isinstance(body["profile"], Mapping):
            raise ProfileError('profile: an object of settings, e.g. {"branch": "CSE", "batch": 2027}.')
        profile = parse_settings(body["profile"])
    return SubscribeRequest(subscription, _user_id(body.get("user_id")), profile)


def parse_unsubscribe(data: Any) -> str:
    """The ``_id`` to delete: only the endpoint matters (knowing it is the proof of ownership).

    The endpoint is not held to today's allow-list: a student must be able to leave even after
    the operator narrowed ``WEB_PUSH_ALLOWED_HOSTS``, and deleting by its hash fetches nothing.
    """
    endpoint = _check_fields(data).get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip() or len(endpoint.strip()) > MAX_ENDPOINT_LENGTH:
        raise SubscriptionError("endpoint: the subscription's endpoint URL is required.")
    return subscription_id(endpoint.strip())


def store_subscription(
    collection: Collection[Document],
    request: SubscribeRequest,
    source: str = "web",
    now: datetime | None = None,
) -> bool:
    """Insert or refresh the subscription; True when it is new. Idempotent: a repeat changes nothing else."""
    now = now or datetime.now(UTC)
    subscription = request.subscription
    fields: Document = {"endpoint": subscription.endpoint, "keys": subscription.keys(), "updated_at": now}
    if request.user_id is not None:
        fields["user_id"] = request.user_id
    if request.profile is not None:
        fields["profile"] = request.profile.to_document()
        # The page sends the whole profile: a change of digest mode is stamped (timing.py).
        previous = collection.find_one({"_id": subscription.id}, {"profile": 1, MODES_FIELD: 1})
        fields |= mode_change_fields(previous, request.profile, now)
    update = {"$set": fields, "$setOnInsert": {"created_at": now, "source": source}}
    try:
        result = collection.update_one({"_id": subscription.id}, update, upsert=True)
    except DuplicateKeyError:
        # Two subscribes of one endpoint at once: the other insert won, so this one is an update.
        result = collection.update_one({"_id": subscription.id}, update, upsert=True)
    return result.upserted_id is not None


def remove_subscription(collection: Collection[Document], key: str) -> bool:
    return collection.delete_one({"_id": key}).deleted_count > 0
