"""Cross-cutting asset checks: unique natural ids, freshness of the notices queue.

The ``_id`` of every document is unique by construction, so these checks look for what can still go
wrong: the same source notice stored under two different ids (students would get it twice and the
campus web app would list it twice), or one portal job stored twice under ids that differ only in
case or surrounding spaces. They read ids with projections only, so they stay cheap on large
collections, and they run with the jobs that materialize their assets.

Assets are named by ``dg.AssetKey`` so this module does not import the asset modules.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import dagster as dg

from jiit_assets.collections import ENRICHED_JOBS, NOTICES, RAW_SUPERSET_NOTICES
from jiit_assets.resources.mongo import MongoResource

NOTICES_KEY = dg.AssetKey(NOTICES)
ENRICHED_JOBS_KEY = dg.AssetKey(ENRICHED_JOBS)
RAW_SUPERSET_NOTICES_KEY = dg.AssetKey(RAW_SUPERSET_NOTICES)

# The hourly update queues notices; two missed hours mean students are no longer being told.
NOTICES_MAX_AGE = timedelta(hours=2)
EXAMPLES_SHOWN = 10


def notice_id_problems(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Notices whose ids do not follow ``<source>:<source_id>`` or whose web-app ``id`` differs.

    Either means the same source notice can end up stored twice: once under its natural id and
    once under the stray one.
    """
    problems: list[str] = []
    for document in documents:
        doc_id = document.get("_id")
        expected = f"{document.get('source')}:{document.get('source_id')}"
        if doc_id != expected:
            problems.append(f"`{doc_id}`: expected `_id` `{expected}` from source and source_id")
        elif document.get("id") != doc_id:
            problems.append(f"`{doc_id}`: web-app field `id` is `{document.get('id')}`")
    return problems


def id_collisions(ids: Iterable[Any]) -> dict[str, list[str]]:
    """Groups of distinct ids that name the same thing once case and surrounding spaces are ignored."""
    groups: dict[str, list[str]] = defaultdict(list)
    for raw in ids:
        groups[str(raw).strip().casefold()].append(str(raw))
    return {key: sorted(members) for key, members in groups.items() if len(members) > 1}


def _examples_md(lines: list[str]) -> dg.MetadataValue:
    shown = "\n".join(f"- {line}" for line in lines[:EXAMPLES_SHOWN])
    more = len(lines) - EXAMPLES_SHOWN
    return dg.MetadataValue.md(shown + (f"\n- … and {more} more" if more > 0 else ""))


@dg.asset_check(
    asset=NOTICES_KEY,
    name="one_document_per_source_notice",
    description=(
        "Every notice is stored under its natural id `<source>:<source_id>`, and the `id` field the "
        "campus web app reads equals it, so no source notice can be queued (and delivered) twice."
    ),
)
def one_document_per_source_notice(mongo: MongoResource) -> dg.AssetCheckResult:
    collection = mongo.collection(NOTICES)
    documents = list(collection.find({}, {"_id": 1, "id": 1, "source": 1, "source_id": 1}))
    problems = notice_id_problems(documents)
    metadata: dict[str, Any] = {"notices_checked": len(documents), "bad_ids": len(problems)}
    if problems:
        metadata["examples"] = _examples_md(problems)
    return dg.AssetCheckResult(passed=not problems, metadata=metadata)


def _collision_check(mongo: MongoResource, collection_name: str, label: str) -> dg.AssetCheckResult:
    ids = [document["_id"] for document in mongo.collection(collection_name).find({}, {"_id": 1})]
    collisions = id_collisions(ids)
    metadata: dict[str, Any] = {f"{label}_checked": len(ids), "colliding_groups": len(collisions)}
    if collisions:
        metadata["examples"] = _examples_md([", ".join(f"`{m}`" for m in g) for g in collisions.values()])
    return dg.AssetCheckResult(passed=not collisions, metadata=metadata)


@dg.asset_check(
    asset=ENRICHED_JOBS_KEY,
    name="one_document_per_job",
    description=(
        "No portal job is stored twice under ids that differ only in letter case or surrounding "
        "spaces; a duplicate would announce the same job twice and split its notices."
    ),
)
def one_document_per_job(mongo: MongoResource) -> dg.AssetCheckResult:
    return _collision_check(mongo, ENRICHED_JOBS, "jobs")


@dg.asset_check(
    asset=RAW_SUPERSET_NOTICES_KEY,
    name="one_document_per_portal_notice",
    description=(
        "No SuperSet notice is stored twice under ids that differ only in letter case or surrounding "
        "spaces; a duplicate would be rendered and delivered twice."
    ),
)
def one_document_per_portal_notice(mongo: MongoResource) -> dg.AssetCheckResult:
    return _collision_check(mongo, RAW_SUPERSET_NOTICES, "notices")


# Warns when `notices` has not been materialized for two hours: the hourly update has stopped
# (schedule off, runs failing, queue stuck) and students are no longer being told anything.
# Dagster 1.13 prefers `FreshnessPolicy` on the asset, but that is still a preview needing instance
# configuration and it shows no check result; a freshness check is visible and alertable today.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    notices_freshness_checks = dg.build_last_update_freshness_checks(
        assets=[NOTICES_KEY],
        lower_bound_delta=NOTICES_MAX_AGE,
        timezone="Asia/Kolkata",
    )
