"""Official placement figures from the college website, kept as a history of distinct snapshots.

Each noon run fetches the page and parses it. A snapshot is stored under its content hash, so an
unchanged page only refreshes ``scrape_timestamp`` / ``last_seen_at`` of the document it already
has, and a changed page adds a new document: the collection is the page's history, newest by
``scrape_timestamp``. A page without the expected structure (a redesign, an error page) or without a
single figure is never stored: the blocking checks fail the run and name what was missing, and the
last good snapshot stays what readers see.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.official.client import CollegeSiteError
from jiit_assets.defs.official.page import (
    OfficialParse,
    OfficialSnapshot,
    distribution_markdown,
    parse_official_page,
)
from jiit_assets.defs.official.resources import CollegeSiteResource
from jiit_assets.lib.mongo import MongoResource, upsert_documents
from jiit_assets.lib.schema import OFFICIAL_PLACEMENT_STATS
from jiit_assets.lib.vocabulary import OWNERS

STRUCTURE_CHECK = "official_page_structure"
NON_EMPTY_CHECK = "non_empty_official_snapshot"
# Fields fixed by the content hash: written once, when a distinct snapshot is first seen.
_SNAPSHOT_FIELDS = (
    "content_hash",
    "main_heading",
    "intro_text",
    "recruiter_logos",
    "batches",
    "source_url",
    "first_seen_at",
)


def snapshot_document(snapshot: OfficialSnapshot, source_url: str, now: datetime) -> dict[str, Any]:
    """The shape the campus web app reads, plus first/last seen times; ``_id`` = content hash."""
    content_hash = snapshot.content_hash
    return {
        "_id": content_hash,
        "content_hash": content_hash,
        **snapshot.to_dict(),
        "source_url": source_url,
        "scrape_timestamp": now,
        "first_seen_at": now,
        "last_seen_at": now,
    }


def _pointers_markdown(snapshot: OfficialSnapshot) -> str:
    active = snapshot.active_batch
    if active is None or not active.placement_pointers:
        return "(no pointers)"
    return "\n".join(f"- {pointer}" for pointer in active.placement_pointers)


def _structure_check(parse: OfficialParse, url: str) -> dg.AssetCheckResult:
    if parse.missing:
        return dg.AssetCheckResult(
            check_name=STRUCTURE_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"missing: {', '.join(parse.missing)} (nothing stored; the last good snapshot is kept)",
            metadata={"missing": list(parse.missing), "url": url},
        )
    return dg.AssetCheckResult(
        check_name=STRUCTURE_CHECK, passed=True, description="all expected parts found"
    )


def _non_empty_check(snapshot: OfficialSnapshot | None) -> dg.AssetCheckResult:
    if snapshot is None or snapshot.is_empty:
        found = "no batches" if snapshot is None else f"{len(snapshot.batches)} batches, all without figures"
        return dg.AssetCheckResult(
            check_name=NON_EMPTY_CHECK,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"missing: placement pointers and package tables ({found}); nothing stored",
        )
    with_figures = sum(1 for batch in snapshot.batches if batch.has_figures)
    return dg.AssetCheckResult(
        check_name=NON_EMPTY_CHECK,
        passed=True,
        description=f"{with_figures} of {len(snapshot.batches)} batches carry figures",
        metadata={"batches_with_figures": with_figures},
    )


@dg.asset(
    group_name="official",
    kinds={"mongodb", "web"},
    owners=OWNERS,
    description=(
        "Snapshots of the placement figures the college website publishes, one per distinct page "
        "content. An unchanged page only refreshes `scrape_timestamp`; a redesigned one stores "
        "nothing."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            STRUCTURE_CHECK,
            asset="official_placement_stats",
            blocking=True,
            description=(
                "The page still has the tab container, the tab list and the batch bodies. Fails (and "
                "nothing is stored) after a redesign or on an error page, naming what is missing."
            ),
        ),
        dg.AssetCheckSpec(
            NON_EMPTY_CHECK,
            asset="official_placement_stats",
            blocking=True,
            description="At least one batch carries placement pointers or package-table rows.",
        ),
    ],
    output_required=False,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=300, backoff=dg.Backoff.EXPONENTIAL),
)
def official_placement_stats(
    context: dg.AssetExecutionContext, college_site: CollegeSiteResource, mongo: MongoResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    try:
        fetched = college_site.fetch()
    except CollegeSiteError as error:
        # Transient errors are retried by the retry policy; a 4xx or an oversized page is not.
        raise error.as_failure() from None

    parse = parse_official_page(fetched.html, base_url=fetched.url)
    snapshot = parse.snapshot
    structure, non_empty = _structure_check(parse, fetched.url), _non_empty_check(snapshot)
    if snapshot is None or not structure.passed or not non_empty.passed:
        context.log.error(f"official page at {fetched.url} not stored: {structure.description}")
        yield structure
        yield non_empty
        return

    collection = mongo.collection(OFFICIAL_PLACEMENT_STATS)
    latest = collection.find_one({}, projection={"_id": 1}, sort=[("scrape_timestamp", -1)])
    document = snapshot_document(snapshot, fetched.url, datetime.now(UTC))
    counts = upsert_documents(collection, [document], insert_only_fields=_SNAPSHOT_FIELDS)
    changed = latest is None or latest["_id"] != document["_id"]
    active = snapshot.active_batch
    context.log.info(
        f"official page {'changed' if changed else 'unchanged'}: {document['_id'][:12]}, "
        f"{len(snapshot.batches)} batches"
    )
    yield dg.MaterializeResult(
        metadata={
            "result": "changed" if changed else "unchanged",
            "changed": changed,
            "new_document": counts.inserted == 1,
            "content_hash": document["_id"],
            "previous_hash": latest["_id"] if latest else None,
            "batch_count": len(snapshot.batches),
            "active_batch": active.batch_name if active else None,
            "recruiter_logos": len(snapshot.recruiter_logos),
            "package_distribution": dg.MetadataValue.md(
                distribution_markdown(active) if active else "(no active batch)"
            ),
            "placement_pointers": dg.MetadataValue.md(_pointers_markdown(snapshot)),
            "snapshots_in_collection": collection.estimated_document_count(),
            "url": dg.MetadataValue.url(fetched.url),
        },
        check_results=[structure, non_empty],
    )
