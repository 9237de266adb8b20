"""SuperSet portal assets: the notices as the portal publishes them, and structured job profiles.

Both read every account in ``SUPERSET_CREDENTIALS`` and merge their views (first account wins on
duplicates). Writes are conditional and batched, so the hourly steady state costs one listing call
per account and endpoint, one ``_id`` read of the content hashes and no writes:

* ``raw_superset_notices`` writes only new or edited notices and asks the ``notices`` asset to
  (re)queue them (``notice_store.py``).
* ``enriched_jobs`` fetches details and document links only for jobs it has not enriched yet (or
  for all with ``reenrich_all``); known jobs get their listing fields (deadline, title, category)
  refreshed without a detail call (``job_store.py``).

When one account fails and another works, the run stores what it got, materializes, logs an
error and fails the ``all_accounts_ok`` check: a wrong password on one account must not hold back
the other account's notices. When every account fails the step fails and nothing stored changes.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.superset.accounts import SupersetError
from jiit_assets.defs.superset.client import AccountFailure, Fetched
from jiit_assets.defs.superset.job_store import store_jobs
from jiit_assets.defs.superset.notice_store import store_notices
from jiit_assets.defs.superset.portal_jobs import StructuredJob
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets.lib.metadata import md_bullets, md_inline
from jiit_assets.lib.mongo import MongoResource
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


def _account_metadata(fetched: Fetched[Any]) -> dict[str, Any]:
    return {
        "accounts_ok": len(fetched.accounts_ok),
        "accounts_failed": len(fetched.failures),
        "failed_accounts": ", ".join(failure.account for failure in fetched.failures) or "none",
        "account_failures": dg.MetadataValue.md(
            md_bullets([md_inline(failure.to_metadata()) for failure in fetched.failures])
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
        raise error.as_failure("SuperSet notices: ") from None
    if not fetched.accounts_ok:
        _require_some_account("notices", fetched.failures, accounts)
    mongo.collection(RAW_SUPERSET_NOTICES)  # indexes, once per process
    stored = store_notices(mongo.db(), fetched.items, datetime.now(UTC))
    _report_partial(context, "notices", fetched)
    for problem in stored.data_problems[:20]:
        context.log.warning(f"SuperSet notice stored with an unknown value: {problem}")

    newest = sorted(
        stored.parsed,
        key=lambda n: n.last_modified_at or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )[:PREVIEW_SIZE]
    preview = [
        f"{md_inline(n.title)} ({format_ist(n.last_modified_at) if n.last_modified_at else 'no date'})"
        for n in newest
    ]
    return dg.MaterializeResult(
        metadata={
            "fetched": len(fetched.items),
            "new": stored.new,
            "changed": stored.changed,
            "unchanged": stored.unchanged,
            "skipped_malformed": len(stored.skipped),
            "skipped_reasons": dg.MetadataValue.md(md_bullets([md_inline(r) for r in stored.skipped])),
            "values_out_of_range": dg.MetadataValue.md(
                md_bullets([md_inline(p) for p in stored.data_problems])
            ),
            **_account_metadata(fetched),
            "newest": dg.MetadataValue.md(md_bullets(preview) if preview else "no notices"),
        },
        check_results=[_accounts_check(RAW_SUPERSET_NOTICES, fetched)],
    )


# -- enriched_jobs ---------------------------------------------------------------------------------


class EnrichedJobsConfig(dg.Config):
    reenrich_all: bool = False
    """Fetch details and document links again for every listed job (repairs and backfills)."""


def _job_line(job: StructuredJob) -> str:
    package = (
        f"₹{job.package / 100000:.1f} L"
        if job.package >= 100000
        else (f"₹{job.package:,.0f}" if job.package else "no CTC")
    )
    return md_inline(f"{job.company} — {job.job_profile} — {package}")


def store_enriched_jobs(
    context: dg.AssetExecutionContext,
    config: EnrichedJobsConfig,
    superset: SupersetResource,
    mongo: MongoResource,
) -> dg.MaterializeResult:
    """Fetch listings, enrich new jobs, refresh known ones (see ``enriched_jobs``)."""
    if not superset.is_configured:
        return _not_configured(context, ENRICHED_JOBS, extra_checks=[ENRICHED_CHECK])
    mongo.collection(ENRICHED_JOBS)  # indexes, once per process
    try:
        with superset.open(log=context.log.warning) as client:
            fetched = client.fetch_job_listings()
            if not fetched.accounts_ok:
                _require_some_account("job listings", fetched.failures, len(client.accounts))
            stored = store_jobs(
                mongo.db(), client, fetched.items, datetime.now(UTC), config.reenrich_all, context.log.warning
            )
    except SupersetError as error:
        raise error.as_failure("SuperSet job listings: ") from None
    _report_partial(context, "job listings", fetched)

    newest = sorted(stored.enriched, key=lambda job: job.createdAt or 0, reverse=True)[:PREVIEW_SIZE]
    new_ids = set(stored.new_ids)
    return dg.MaterializeResult(
        metadata={
            "listed": stored.listed,
            "skipped_listing_entries": fetched.items.skipped,
            "new": len(stored.new_ids),
            "enriched": len(stored.enriched),
            "detail_fetches_failed": len(stored.failed),
            "enrichment_failures": dg.MetadataValue.md(md_bullets([md_inline(f) for f in stored.failed])),
            "refreshed_from_listing": stored.refreshed,
            "unchanged": stored.unchanged,
            "reenrich_all": config.reenrich_all,
            **_account_metadata(fetched),
            "newly_enriched": dg.MetadataValue.md(md_bullets([_job_line(job) for job in newest])),
            "new_job_ids": dg.MetadataValue.json(
                [job.id for job in stored.enriched if job.id in new_ids][:50]
            ),
        },
        check_results=[
            _accounts_check(ENRICHED_JOBS, fetched),
            dg.AssetCheckResult(
                check_name=ENRICHED_CHECK,
                asset_key=ENRICHED_JOBS,
                passed=stored.without_details == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "jobs_without_details": stored.without_details,
                    "failed_this_run": len(stored.failed),
                },
            ),
        ],
    )


# -- the asset definitions -------------------------------------------------------------------------


def _accounts_check_spec(asset: str, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        ACCOUNTS_CHECK,
        asset=asset,
        description=f"Every SuperSet account in SUPERSET_CREDENTIALS logged in and returned its {what}.",
    )


NOTICES_CHECK_SPECS = [_accounts_check_spec(RAW_SUPERSET_NOTICES, "notices")]
JOBS_CHECK_SPECS = [
    _accounts_check_spec(ENRICHED_JOBS, "job listings"),
    dg.AssetCheckSpec(
        ENRICHED_CHECK,
        asset=ENRICHED_JOBS,
        description=(
            "Every stored job has its details (eligibility, package, hiring flow, documents); jobs "
            "stored from their listing only are retried on the next run."
        ),
    ),
]
NOTICES_DESCRIPTION = (
    "Every notice on the SuperSet portal exactly as the portal returns it, merged across "
    "the configured student accounts. New and edited notices are marked for the queue."
)
JOBS_DESCRIPTION = (
    "Job profiles from the SuperSet portal with eligibility, package, hiring flow and "
    "documents, in the field names the campus web app reads. Details are fetched only for "
    "jobs not yet enriched."
)


def _superset_asset(
    name: str, description: str, check_specs: Sequence[dg.AssetCheckSpec], retry_policy: dg.RetryPolicy
) -> Callable[[Callable[..., dg.MaterializeResult]], dg.AssetsDefinition]:
    """The decorator both SuperSet assets share: group, kinds, owners, step retries, checks."""
    return dg.asset(
        name=name,
        group_name="superset",
        kinds=KINDS,
        owners=OWNERS,
        retry_policy=retry_policy,
        check_specs=check_specs,
        description=description,
    )


def build_superset_assets(
    retry_policy: dg.RetryPolicy = SUPERSET_RETRY_POLICY,
) -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """Both SuperSet assets; tests pass a zero-delay retry policy to exercise step retries quickly."""

    @_superset_asset(RAW_SUPERSET_NOTICES, NOTICES_DESCRIPTION, NOTICES_CHECK_SPECS, retry_policy)
    def raw_superset_notices(
        context: dg.AssetExecutionContext, superset: SupersetResource, mongo: MongoResource
    ) -> dg.MaterializeResult:
        return store_raw_notices(context, superset, mongo)

    @_superset_asset(ENRICHED_JOBS, JOBS_DESCRIPTION, JOBS_CHECK_SPECS, retry_policy)
    def enriched_jobs(
        context: dg.AssetExecutionContext,
        config: EnrichedJobsConfig,
        superset: SupersetResource,
        mongo: MongoResource,
    ) -> dg.MaterializeResult:
        return store_enriched_jobs(context, config, superset, mongo)

    return raw_superset_notices, enriched_jobs


raw_superset_notices, enriched_jobs = build_superset_assets()
