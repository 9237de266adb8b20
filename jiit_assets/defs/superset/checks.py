"""Checks that no portal job or notice is stored twice under ids differing only in case or spaces.

A duplicate would announce the same job twice and split its notices. The checks read ids with
projections only, so they stay cheap on large collections.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import dagster as dg

from jiit_assets.lib.metadata import md_bullets
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import ENRICHED_JOBS, RAW_SUPERSET_NOTICES

EXAMPLES_SHOWN = 10


def id_collisions(ids: Iterable[Any]) -> dict[str, list[str]]:
    """Groups of distinct ids that name the same thing once case and surrounding spaces are ignored."""
    groups: dict[str, list[str]] = defaultdict(list)
    for raw in ids:
        groups[str(raw).strip().casefold()].append(str(raw))
    return {key: sorted(members) for key, members in groups.items() if len(members) > 1}


def _collision_check(mongo: MongoResource, collection_name: str, label: str) -> dg.AssetCheckResult:
    ids = [document["_id"] for document in mongo.collection(collection_name).find({}, {"_id": 1})]
    collisions = id_collisions(ids)
    metadata: dict[str, Any] = {f"{label}_checked": len(ids), "colliding_groups": len(collisions)}
    if collisions:
        metadata["examples"] = dg.MetadataValue.md(
            md_bullets([", ".join(f"`{m}`" for m in g) for g in collisions.values()], EXAMPLES_SHOWN)
        )
    return dg.AssetCheckResult(passed=not collisions, metadata=metadata)


@dg.asset_check(
    asset=dg.AssetKey(ENRICHED_JOBS),
    name="one_document_per_job",
    description=(
        "No portal job is stored twice under ids that differ only in letter case or surrounding "
        "spaces; a duplicate would announce the same job twice and split its notices."
    ),
)
def one_document_per_job(mongo: MongoResource) -> dg.AssetCheckResult:
    return _collision_check(mongo, ENRICHED_JOBS, "jobs")


@dg.asset_check(
    asset=dg.AssetKey(RAW_SUPERSET_NOTICES),
    name="one_document_per_portal_notice",
    description=(
        "No SuperSet notice is stored twice under ids that differ only in letter case or surrounding "
        "spaces; a duplicate would be rendered and delivered twice."
    ),
)
def one_document_per_portal_notice(mongo: MongoResource) -> dg.AssetCheckResult:
    return _collision_check(mongo, RAW_SUPERSET_NOTICES, "notices")
