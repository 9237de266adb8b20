"""The campus web app's four collections, kept in step with our canonical ones.

Each asset rebuilds one serving collection from its canonical collection and writes only what
changed (see ``jiit_assets.defs.campus_app.serving``); nothing there is ever deleted. The serving
collections are written directly, not through the IO manager, because they live in another
database (``CAMPUS_APP_DATABASE``) and are matched on the web app's natural keys, not on ``_id``.
Each materialization also checks that the collection's unique natural-key index exists: an older
database holding duplicates keeps working, and the failed check names what to clean up.
"""

from collections.abc import Callable
from typing import Any

import dagster as dg
from pymongo.collection import Collection

from jiit_assets.defs.campus_app.resources import CampusAppResource
from jiit_assets.defs.campus_app.serving import (
    SyncResult,
    sync_jobs,
    sync_notices,
    sync_offers,
    sync_official,
)
from jiit_assets.lib.mongo import Document, MongoResource
from jiit_assets.lib.schema import (
    CAMPUS_JOBS,
    CAMPUS_NOTICES,
    CAMPUS_OFFICIAL_PLACEMENT_DATA,
    CAMPUS_PLACEMENT_OFFERS,
    EMAIL_PLACEMENT_OFFERS,
    ENRICHED_JOBS,
    NOTICES,
    OFFICIAL_PLACEMENT_STATS,
)
from jiit_assets.lib.vocabulary import OWNERS

GROUP = "campus_app"
KEY_CHECK = "unique_natural_key"
Sync = Callable[[Callable[[str], Collection[Document]], Callable[[str], Collection[Document]]], SyncResult]


def _build(name: str, sync: Sync, deps: list[str], description: str) -> dg.AssetsDefinition:
    key = dg.AssetKey([GROUP, name])

    @dg.asset(
        key=key,
        group_name=GROUP,
        kinds={"mongodb"},
        owners=OWNERS,
        deps=[dg.AssetKey(dep) for dep in deps],
        description=description,
        check_specs=[
            dg.AssetCheckSpec(
                KEY_CHECK,
                asset=key,
                description="The collection has its unique natural-key index (no duplicate documents).",
            )
        ],
    )
    def _serving(mongo: MongoResource, campus_app: CampusAppResource) -> dg.MaterializeResult:
        result = sync(mongo.collection, campus_app.collection)
        target = campus_app.collection(name)
        problems = campus_app.index_problems(name)
        metadata: dict[str, Any] = {
            **result.counts.as_metadata(),
            "database": campus_app.database_name,
            "collection": name,
            "documents_in_collection": target.estimated_document_count(),
            "invalid": len(result.invalid),
        }
        if result.invalid:
            metadata["invalid_examples"] = dg.MetadataValue.json(list(result.invalid[:10]))
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[
                dg.AssetCheckResult(
                    check_name=KEY_CHECK,
                    passed=not problems,
                    metadata={"problems": dg.MetadataValue.json(problems)},
                )
            ],
        )

    return _serving


campus_jobs = _build(
    CAMPUS_JOBS,
    sync_jobs,
    [ENRICHED_JOBS],
    "SuperSet job profiles for the campus web app, in its `Jobs` shape (package in rupees, times in epoch ms).",
)
campus_notices = _build(
    CAMPUS_NOTICES,
    sync_notices,
    [NOTICES, "deliveries", ENRICHED_JOBS],
    "Every queued notice for the campus web app, with the `formatted_message` markers it parses and "
    "`sent_to_telegram` from our delivery state.",
)
campus_offers = _build(
    CAMPUS_PLACEMENT_OFFERS,
    sync_offers,
    [EMAIL_PLACEMENT_OFFERS],
    "Placement offers per company for the campus web app (LPA packages, `createdAt`), without "
    "students' e-mail addresses.",
)
campus_official = _build(
    CAMPUS_OFFICIAL_PLACEMENT_DATA,
    sync_official,
    [OFFICIAL_PLACEMENT_STATS],
    "The college website's placement snapshots for the campus web app, newest by `scrape_timestamp`.",
)

CAMPUS_APP_ASSETS = [campus_jobs, campus_notices, campus_offers, campus_official]
