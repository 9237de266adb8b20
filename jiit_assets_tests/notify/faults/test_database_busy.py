"""A locked database during a delivery run: the ledger writer retries, nothing is lost or written twice.

The embedded FerretDB can answer a write with "database is locked (SQLITE_BUSY)" when SQLite's
single writer slot stays taken (a benchmark's delivery run died of exactly that). The errors are
injected around the real FerretDB collections: a write either fails before it touches the
database, or after it applied part of an ordered batch (as FerretDB does when one statement of a
batch meets the lock), or is applied and then loses its answer (a dropped connection).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from pymongo import InsertOne
from pymongo.collection import Collection
from pymongo.errors import AutoReconnect, BulkWriteError, OperationFailure

from jiit_assets.defs.delivery.db_retry import is_transient
from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState, begin, finish
from jiit_assets.defs.delivery.ledger_writer import LedgerWriter
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import DELIVERIES, DELIVERY_INTENTS, NOTICES
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_users, queued_notice, store_notices
from jiit_assets_tests.notify.faults.common import run_delivery

BUSY = "database is locked (SQLITE_BUSY)"
# Which write of a collection fails, and how: "busy" before it applies anything, "partial" after
# applying the first half of a batch, "lost" after applying all of it.
Plan = dict[int, str]
PLANS: dict[str, dict[str, Plan]] = {}  # database -> collection -> plan
CALLS: Counter[str] = Counter()


class FlakyCollection:
    """A real collection whose planned writes fail the way the module docstring describes."""

    def __init__(self, collection: Collection[dict[str, Any]], plan: Plan) -> None:
        self._collection = collection
        self._plan = plan

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    def _fault(self) -> str | None:
        key = f"{self._collection.database.name}.{self._collection.name}"
        CALLS[key] += 1
        return self._plan.get(CALLS[key])

    def bulk_write(self, requests: Sequence[Any], **options: Any) -> Any:
        fault = self._fault()
        if fault == "busy":
            raise OperationFailure(BUSY, code=1)
        if fault == "partial" and len(requests) > 1:
            half = len(requests) // 2
            self._collection.bulk_write(list(requests[:half]), **options)
            error = {"index": half, "code": 1, "errmsg": BUSY}
            raise BulkWriteError({"writeErrors": [error], "nInserted": half})
        result = self._collection.bulk_write(list(requests), **options)
        if fault == "lost":
            raise AutoReconnect("connection closed")
        return result

    def insert_one(self, document: dict[str, Any], **options: Any) -> Any:
        fault = self._fault()
        if fault == "busy":
            raise OperationFailure(BUSY, code=1)
        result = self._collection.insert_one(document, **options)
        if fault == "lost":
            raise AutoReconnect("connection closed")
        return result


class FlakyMongo(MongoResource):
    """The test database, with the faults of ``PLANS[database]`` on its collections."""

    def collection(self, name: str) -> Collection[dict[str, Any]]:
        collection = super().collection(name)
        plan = PLANS.get(self.database, {}).get(name)
        return FlakyCollection(collection, plan) if plan else collection  # type: ignore[return-value]


@pytest.fixture
def plans(mongo: MongoResource):
    PLANS[mongo.database] = {}
    yield PLANS[mongo.database]
    PLANS.pop(mongo.database, None)


def entries(count: int) -> list[LedgerEntry]:
    return [LedgerEntry("n1", 1, "telegram", str(700 + i), LedgerState.RETRY) for i in range(count)]


def test_transient_and_permanent_database_errors_are_told_apart():
    assert is_transient(OperationFailure(BUSY, code=1))
    assert is_transient(AutoReconnect("connection closed"))
    assert is_transient(BulkWriteError({"writeErrors": [{"index": 0, "code": 1, "errmsg": BUSY}]}))
    assert not is_transient(OperationFailure("not authorized on jiit", code=13))
    duplicate = {"index": 0, "code": 11000, "errmsg": "E11000 duplicate key"}
    assert not is_transient(BulkWriteError({"writeErrors": [duplicate]}))


def test_the_writer_retries_a_locked_database_without_writing_anything_twice(mongo, plans):
    flaky = FlakyMongo(uri=mongo.uri, database=mongo.database)
    plans[DELIVERIES] = {1: "busy", 2: "partial", 4: "lost"}
    plans[DELIVERY_INTENTS] = {1: "lost", 2: "busy"}
    batch = entries(6)
    with LedgerWriter(
        flaky.collection(DELIVERIES), flaky.collection(DELIVERY_INTENTS), owner="run"
    ) as writer:
        for entry in batch:
            writer.intend(begin(entry, 0)).result(timeout=60)
        # Three writes of outcomes: each meets one of the planned faults.
        writer.record([finish(e, LedgerState.SENT, None) for e in batch[:2]], batch[0].id).result(timeout=60)
        writer.record([finish(e, LedgerState.SENT, None) for e in batch[2:4]], batch[2].id).result(timeout=60)
        writer.record([finish(e, LedgerState.SENT, None) for e in batch[4:]], batch[4].id).result(timeout=60)
        writer.record([InsertOne({"_id": "marker"})]).result(timeout=60)
        retries = writer.stats.retries

    stored = list(mongo.collection(DELIVERIES).find({"_id": {"$ne": "marker"}}))
    assert sorted(document["recipient"] for document in stored) == [str(700 + i) for i in range(6)]
    assert {document["state"] for document in stored} == {"sent"}
    assert retries == 5
    # One intents document per intent write, each stored once; the three resolved ones are deleted.
    assert mongo.collection(DELIVERY_INTENTS).count_documents({}) == 3


def test_a_database_that_stays_locked_still_fails_the_write(mongo, plans):
    flaky = FlakyMongo(uri=mongo.uri, database=mongo.database)
    plans[DELIVERIES] = dict.fromkeys(range(1, 1000), "busy")
    with LedgerWriter(
        flaky.collection(DELIVERIES), flaky.collection(DELIVERY_INTENTS), owner="run", retry_for=0.5
    ) as writer:
        entry = entries(1)[0]
        with pytest.raises(OperationFailure, match="SQLITE_BUSY"):
            writer.record([finish(entry, LedgerState.SENT, None)]).result(timeout=60)


def test_a_permanent_database_error_is_not_retried(mongo):
    with LedgerWriter(
        mongo.collection(DELIVERIES), mongo.collection(DELIVERY_INTENTS), owner="run"
    ) as writer:
        writer.record([InsertOne({"_id": "twice"})]).result(timeout=60)
        with pytest.raises(BulkWriteError):
            writer.record([InsertOne({"_id": "twice"})]).result(timeout=60)
        assert writer.stats.retries == 0


def test_a_delivery_run_rides_out_a_locked_database(mongo, plans, telegram_standin, telegram_resource):
    store_notices(mongo, queued_notice("n1"), queued_notice("n2", title="Acme results"))
    add_users(mongo, *({"_id": f"u{i}", "chat_id": 900 + i, "is_active": True} for i in range(4)))
    plans[DELIVERIES] = {1: "busy", 2: "partial", 3: "lost", 5: "busy"}
    plans[DELIVERY_INTENTS] = {1: "busy", 2: "lost"}
    flaky = FlakyMongo(uri=mongo.uri, database=mongo.database)

    run = run_delivery(flaky, telegram_resource, WebPushResource())

    assert run.success, run.failure
    assert run.metadata["ledger_write_retries"] >= 4
    sent = Counter((m.chat_id, m.text.split("\n")[0]) for m in telegram_standin.messages)
    assert set(sent.values()) == {1} and len(sent) == 2 * 5
    assert {chat for chat, _ in sent} == {CHANNEL_CHAT, "900", "901", "902", "903"}
    assert mongo.collection(DELIVERIES).count_documents({"state": "sent"}) == 2 * 5
    assert mongo.collection(NOTICES).count_documents({"pending": True}) == 0
