"""A steady-state run's database round trips do not grow with what is stored.

Counted with a pymongo ``CommandListener`` on the real server: storing the same fetch again (nothing
new) costs the same commands for 20 and for 200 stored notices and jobs, and writes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.database import Database

from jiit_assets.defs.notices.queue import load_queue_state
from jiit_assets.defs.superset.client import JobListings
from jiit_assets.defs.superset.job_store import store_jobs
from jiit_assets.defs.superset.notice_store import store_notices

NOW = datetime.now(UTC)


class _Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = event.command.get(event.command_name)
        self.seen[f"{event.command_name} {collection if isinstance(collection, str) else ''}".strip()] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@contextmanager
def _database(uri: str) -> Iterator[tuple[Database[dict[str, Any]], _Commands]]:
    listener = _Commands()
    client: MongoClient[dict[str, Any]] = MongoClient(uri, event_listeners=[listener], tz_aware=True)
    name = f"test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name], listener
    finally:
        client.drop_database(name)
        client.close()


class _NoDetails:
    """A client that must not be called: every job is already enriched."""

    def fetch_job_enrichment(self, job_id: str, accounts: list[int]) -> Any:
        raise AssertionError(f"detail call for known job {job_id}")


def _steady_state_commands(uri: str, size: int) -> Counter[str]:
    notices = [
        {
            "identifier": f"n{index}",
            "title": f"Notice {index}",
            "content": "<p>x</p>",
            "publishedAt": 1753000000000,
        }
        for index in range(size)
    ]
    listings = [
        {"jobProfileIdentifier": f"j{index}", "companyName": f"Company {index}"} for index in range(size)
    ]
    with _database(uri) as (db, listener):
        store_notices(db, notices, NOW)
        db["enriched_jobs"].insert_many(
            [{"_id": f"j{index}", "enriched": True} for index in range(size)]
        )  # details stored earlier; the listing fields are refreshed once below
        store_jobs(db, _NoDetails(), JobListings(listings, {}), NOW)  # type: ignore[arg-type]
        load_queue_state(db)
        listener.seen.clear()
        stored = store_notices(db, notices, NOW)
        jobs = store_jobs(db, _NoDetails(), JobListings(listings, {}), NOW)  # type: ignore[arg-type]
        load_queue_state(db)
        assert (stored.new, stored.changed, stored.unchanged) == (0, 0, size)
        assert (len(jobs.new_ids), jobs.refreshed, jobs.unchanged) == (0, 0, size)
        return Counter(listener.seen)


def test_nothing_new_costs_the_same_round_trips_at_ten_times_the_data(mongo_uri: str) -> None:
    small = _steady_state_commands(mongo_uri, 20)
    large = _steady_state_commands(mongo_uri, 200)
    assert small == large
    assert sum(small.values()) <= 6
    assert not any(name.split()[0] in ("insert", "update", "delete") for name in small)
