"""SuperSet portal assets: the notices as the portal publishes them, and structured job profiles.

Both read every account in ``SUPERSET_CREDENTIALS`` and merge their views (first account wins on
duplicates). Writes are conditional and batched, so the hourly steady state costs one listing call
per account and endpoint, one projected read and no writes:

* ``raw_superset_notices`` writes only new or edited notices and marks them ``notice_state:
  "pending"`` for the ``notices`` asset to (re)render; unchanged notices keep whatever state the
  ``notices`` asset gave them.
* ``enriched_jobs`` fetches details and document links only for jobs it has not enriched yet (or
  for all with ``reenrich_all``); known jobs get their listing fields (deadline, title, category)
  refreshed without a detail call.

When one account fails and another works, the run stores what it got, materializes, logs an
error and fails the ``all_accounts_ok`` check: a wrong password on one account must not hold back
the other account's notices. When every account fails the step fails and nothing stored changes.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from pymongo import UpdateOne

from jiit_assets.defs.superset.portal_jobs import (
    LISTING_FIELDS,
    MalformedPayload,
    StructuredJob,
    job_id_of,
    listing_document,
    parse_raw_notice,
    structure_job,
)
from jiit_assets.defs.superset.resources import AccountFailure, Fetched, SupersetError, SupersetResource
from jiit_assets.lib.mongo import READ_BATCH_SIZE, MongoResource, upsert_documents
from jiit_assets.lib.schema import ENRICHED_JOBS, RAW_SUPERSET_NOTICES
from jiit_assets.lib.text import format_ist
from jiit_assets.lib.vocabulary import OWNERS

KINDS = {"superset", "mongodb"}
# Network steps: the client already retries single requests; this retries the whole step a few
# minutes later when the portal is down for longer than that.
SUPERSET_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
ACCOUNTS_CHECK = "all_accounts_ok"
ENRICHED_CHECK = "all_jobs_enriched"
PREVIEW_SIZE = 8
# The portal fields a reader sees: a change in any of them means the notice was edited.
NOTICE_HASHED_FIELDS = ("title", "content", "lastModifiedOn")
PENDING = "pending"


def notice_content_hash(raw: Mapping[str, Any]) -> str:
    payload = json.dumps({key: raw.get(key) for key in NOTICE_HASHED_FIELDS}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _mongo_safe(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Portal fields as returned, minus keys MongoDB cannot store (operators, dotted paths)."""
    return {
        str(key): value for key, value in raw.items() if not str(key).startswith("$") and "." not in str(key)
    }


def _md_line(text: str) -> str:
    """Untrusted text (portal titles, error messages) as one inert line of Markdown."""
    flat = " ".join(text.split())[:160]
    return "".join(f"\\{char}" if char in "\\`*_[]<>|#" else char for char in flat)


def _account_metadata(fetched: Fetched[Any]) -> dict[str, Any]:
    return {
        "accounts_ok": len(fetched.accounts_ok),
        "accounts_failed": len(fetched.failures),
        "failed_accounts": ", ".join(failure.account for failure in fetched.failures) or "none",
        "account_failures": dg.MetadataValue.md(
            "\n".join(f"- {_md_line(failure.to_metadata())}" for failure in fetched.failures) or "none"
        ),
    }


def _accounts_check(asset: str, fetched: Fetched[Any] | None) -> dg.AssetCheckResult:
    failures = fetched.failures if fetched else []
    return dg.AssetCheckResult(
        check_name=ACCOUNTS_CHECK,
        asset_key=asset,
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "accounts_ok": len(fetched.accounts_ok) if fetched else 0,
            "failed_accounts": ", ".join(failure.to_metadata() for failure in failures) or "none",
        },
    )


def _require_some_account(what: str, failures: Sequence[AccountFailure], accounts: int) -> None:
    """All accounts failed: fail the step (retry only if some failure could pass by itself)."""
    reasons = "; ".join(failure.to_metadata() for failure in failures) or "no account configured"
    raise dg.Failure(
        description=f"SuperSet {what}: all {accounts} account(s) failed, nothing was stored. {reasons}",
        metadata={"accounts_failed": len(failures)},
        allow_retries=any(failure.retryable for failure in failures),
    )


def _report_partial(context: dg.AssetExecutionContext, what: str, fetched: Fetched[Any]) -> None:
    if fetched.failures:
        context.log.error(
            f"SuperSet {what}: stored the data of {len(fetched.accounts_ok)} account(s), but "
            + "; ".join(failure.to_metadata() for failure in fetched.failures)
        )


def _not_configured(
    context: dg.AssetExecutionContext, asset: str, extra_checks: Sequence[str] = ()
) -> dg.MaterializeResult:
    context.log.info("SUPERSET_CREDENTIALS is not set: skipping SuperSet (nothing fetched, nothing changed).")
    skipped = [
        dg.AssetCheckResult(
            check_name=name, asset_key=asset, passed=True, metadata={"skipped": "not configured"}
        )
        for name in extra_checks
    ]
    return dg.MaterializeResult(
        metadata={"fetched": 0, "skipped": "SUPERSET_CREDENTIALS is not set"},
        check_results=[_accounts_check(asset, None), *skipped],
    )


def _superset_failure(what: str, error: SupersetError) -> dg.Failure:
    return dg.Failure(description=f"SuperSet {what}: {error}", allow_retries=error.retryable)


# -- raw_superset_notices --------------------------------------------------------------------------


def store_raw_notices(
    context: dg.AssetExecutionContext, superset: SupersetResource, mongo: MongoResource
) -> dg.MaterializeResult:
    """Fetch every account's notices and write the new and edited ones (see ``raw_superset_notices``)."""
    if not superset.is_configured:
        return _not_configured(context, RAW_SUPERSET_NOTICES)
    try:
        with superset.open(log=context.log.warning) as client:
            fetched = client.fetch_notices()
            accounts = len(client.accounts)
    except SupersetError as error:
        raise _superset_failure("notices", error) from None
    if not fetched.accounts_ok:
        _require_some_account("notices", fetched.failures, accounts)

    parsed: dict[str, tuple[dict[str, Any], Any]] = {}
    skipped: list[str] = []
    for raw in fetched.items:
        try:
            notice = parse_raw_notice(raw)
        except MalformedPayload as error:
            skipped.append(str(error))
            continue
        parsed[notice.identifier] = (raw, notice)

    collection = mongo.collection(RAW_SUPERSET_NOTICES)
    stored_hashes = {
        document["_id"]: document.get("content_hash")
        for document in collection.find(
            {"_id": {"$in": list(parsed)}}, {"content_hash": 1}, batch_size=READ_BATCH_SIZE
        )
    }
    now = datetime.now(UTC)
    documents: list[dict[str, Any]] = []
    new = changed = 0
    for identifier, (raw, notice) in parsed.items():
        content_hash = notice_content_hash(raw)
        if identifier in stored_hashes:
            if stored_hashes[identifier] == content_hash:
                continue
            changed += 1
        else:
            new += 1
        documents.append(
            {
                **_mongo_safe(raw),
                "_id": identifier,
                "identifier": identifier,
                "published_at": notice.published_at,
                "last_modified_at": notice.last_modified_at,
                "content_hash": content_hash,
                "notice_state": PENDING,
                "updated_at": now,
                "first_seen_at": now,
            }
        )
    # New notices are inserted in bulk and edited ones get their changed fields set: a steady
    # state writes nothing, and the cost follows what changed, not what is stored.
    upsert_documents(collection, documents, insert_only_fields=["first_seen_at"])
    _report_partial(context, "notices", fetched)

    newest = sorted(
        (notice for _, notice in parsed.values()),
        key=lambda n: n.last_modified_at or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )[:PREVIEW_SIZE]
    preview = "\n".join(
        f"- {_md_line(n.title)} ({format_ist(n.last_modified_at) if n.last_modified_at else 'no date'})"
        for n in newest
    )
    return dg.MaterializeResult(
        metadata={
            "fetched": len(fetched.items),
            "new": new,
            "changed": changed,
            "unchanged": len(parsed) - new - changed,
            "skipped_malformed": len(skipped),
            "skipped_reasons": dg.MetadataValue.md("\n".join(f"- {_md_line(r)}" for r in skipped) or "none"),
            **_account_metadata(fetched),
            "newest": dg.MetadataValue.md(preview or "no notices"),
        },
        check_results=[_accounts_check(RAW_SUPERSET_NOTICES, fetched)],
    )


# -- enriched_jobs ---------------------------------------------------------------------------------


class EnrichedJobsConfig(dg.Config):
    reenrich_all: bool = False
    """Fetch details and document links again for every listed job (repairs and backfills)."""


def _listing_changed(stored: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    return any(stored.get(key) != fields[key] for key in LISTING_FIELDS)


def _job_line(job: StructuredJob) -> str:
    package = (
        f"₹{job.package / 100000:.1f} L"
        if job.package >= 100000
        else (f"₹{job.package:,.0f}" if job.package else "no CTC")
    )
    return _md_line(f"{job.company} — {job.job_profile} — {package}")


def store_enriched_jobs(
    context: dg.AssetExecutionContext,
    config: EnrichedJobsConfig,
    superset: SupersetResource,
    mongo: MongoResource,
) -> dg.MaterializeResult:
    """Fetch listings, enrich new jobs, refresh known ones (see ``enriched_jobs``)."""
    if not superset.is_configured:
        return _not_configured(context, ENRICHED_JOBS, extra_checks=[ENRICHED_CHECK])
    collection = mongo.collection(ENRICHED_JOBS)
    now = datetime.now(UTC)
    operations: list[UpdateOne] = []
    enriched: list[StructuredJob] = []
    failed: list[str] = []
    refreshed = 0
    try:
        with superset.open(log=context.log.warning) as client:
            fetched = client.fetch_job_listings()
            if not fetched.accounts_ok:
                _require_some_account("job listings", fetched.failures, len(client.accounts))
            listings = {
                job_id: listing for listing in fetched.items.listings if (job_id := job_id_of(listing))
            }
            projection = {key: 1 for key in (*LISTING_FIELDS, "enriched")}
            stored = {
                document["_id"]: document
                for document in collection.find(
                    {"_id": {"$in": list(listings)}}, projection, batch_size=READ_BATCH_SIZE
                )
            }
            for job_id, listing in listings.items():
                known = stored.get(job_id)
                needs_details = config.reenrich_all or known is None or not known.get("enriched")
                if not needs_details:
                    assert known is not None
                    fields = listing_document(listing)
                    if _listing_changed(known, fields):
                        refreshed += 1
                        operations.append(UpdateOne({"_id": job_id}, {"$set": {**fields, "updated_at": now}}))
                    continue
                try:
                    details, urls = client.fetch_job_enrichment(
                        job_id, fetched.items.visible_to.get(job_id, [])
                    )
                    job = structure_job(listing, details, urls)
                except (SupersetError, MalformedPayload) as error:
                    failed.append(f"{job_id}: {error}")
                    context.log.warning(f"SuperSet job {job_id} stored without details: {error}")
                    job = structure_job(listing, enrichment_error=str(error))
                    if known is not None and known.get("enriched"):
                        # Keep the details fetched earlier; record that this refresh failed.
                        fields = {
                            **listing_document(listing),
                            "enrichment_error": str(error),
                            "updated_at": now,
                        }
                        operations.append(UpdateOne({"_id": job_id}, {"$set": fields}))
                        continue
                else:
                    enriched.append(job)
                document = job.to_document()
                document.pop("_id")
                operations.append(
                    UpdateOne(
                        {"_id": job_id},
                        {"$set": {**document, "updated_at": now}, "$setOnInsert": {"first_seen_at": now}},
                        upsert=True,
                    )
                )
    except SupersetError as error:
        raise _superset_failure("job listings", error) from None
    if operations:
        collection.bulk_write(operations, ordered=False)
    _report_partial(context, "job listings", fetched)
    without_details = collection.count_documents({"enriched": False})

    new_ids = [job.id for job in enriched if job.id not in stored]
    newest = sorted(enriched, key=lambda job: job.createdAt or 0, reverse=True)[:PREVIEW_SIZE]
    return dg.MaterializeResult(
        metadata={
            "listed": len(listings),
            "skipped_listing_entries": fetched.items.skipped,
            "new": len([job_id for job_id in listings if job_id not in stored]),
            "enriched": len(enriched),
            "detail_fetches_failed": len(failed),
            "enrichment_failures": dg.MetadataValue.md(
                "\n".join(f"- {_md_line(f)}" for f in failed) or "none"
            ),
            "refreshed_from_listing": refreshed,
            "unchanged": len(listings) - len(enriched) - len(failed) - refreshed,
            "reenrich_all": config.reenrich_all,
            **_account_metadata(fetched),
            "newly_enriched": dg.MetadataValue.md(
                "\n".join(f"- {_job_line(job)}" for job in newest) or "none"
            ),
            "new_job_ids": dg.MetadataValue.json(new_ids[:50]),
        },
        check_results=[
            _accounts_check(ENRICHED_JOBS, fetched),
            dg.AssetCheckResult(
                check_name=ENRICHED_CHECK,
                asset_key=ENRICHED_JOBS,
                passed=without_details == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"jobs_without_details": without_details, "failed_this_run": len(failed)},
            ),
        ],
    )


# -- the asset definitions -------------------------------------------------------------------------


def build_superset_assets(
    retry_policy: dg.RetryPolicy = SUPERSET_RETRY_POLICY,
) -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """Both SuperSet assets; tests pass a zero-delay retry policy to exercise step retries quickly."""

    @dg.asset(
        name=RAW_SUPERSET_NOTICES,
        group_name="superset",
        kinds=KINDS,
        owners=OWNERS,
        retry_policy=retry_policy,
        check_specs=[
            dg.AssetCheckSpec(
                ACCOUNTS_CHECK,
                asset=RAW_SUPERSET_NOTICES,
                description="Every SuperSet account in SUPERSET_CREDENTIALS logged in and returned its notices.",
            )
        ],
        description=(
            "Every notice on the SuperSet portal exactly as the portal returns it, merged across "
            "the configured student accounts. New and edited notices are marked for the queue."
        ),
    )
    def raw_superset_notices(
        context: dg.AssetExecutionContext, superset: SupersetResource, mongo: MongoResource
    ) -> dg.MaterializeResult:
        return store_raw_notices(context, superset, mongo)

    @dg.asset(
        name=ENRICHED_JOBS,
        group_name="superset",
        kinds=KINDS,
        owners=OWNERS,
        retry_policy=retry_policy,
        check_specs=[
            dg.AssetCheckSpec(
                ACCOUNTS_CHECK,
                asset=ENRICHED_JOBS,
                description="Every SuperSet account in SUPERSET_CREDENTIALS logged in and returned its job listings.",
            ),
            dg.AssetCheckSpec(
                ENRICHED_CHECK,
                asset=ENRICHED_JOBS,
                description=(
                    "Every stored job has its details (eligibility, package, hiring flow, documents); jobs "
                    "stored from their listing only are retried on the next run."
                ),
            ),
        ],
        description=(
            "Job profiles from the SuperSet portal with eligibility, package, hiring flow and "
            "documents, in the field names the campus web app reads. Details are fetched only for "
            "jobs not yet enriched."
        ),
    )
    def enriched_jobs(
        context: dg.AssetExecutionContext,
        config: EnrichedJobsConfig,
        superset: SupersetResource,
        mongo: MongoResource,
    ) -> dg.MaterializeResult:
        return store_enriched_jobs(context, config, superset, mongo)

    return raw_superset_notices, enriched_jobs


raw_superset_notices, enriched_jobs = build_superset_assets()
