"""Placement analytics computed from the offers collected by the e-mail pipeline.

The figures are recomputed from the whole ``email_placement_offers`` collection on every run (a few
hundred small documents: one read), stored for other consumers as the ``latest`` document plus one
document per IST day (the day's last run wins), and shown in the UI as Markdown tables.
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg

from jiit_assets.defs.analytics.stats import (
    branches_markdown,
    calculate_placement_stats,
    companies_markdown,
    overall_markdown,
)
from jiit_assets.lib.text import IST
from jiit_assets.lib.vocabulary import OWNERS

LATEST_ID = "latest"


@dg.asset(
    group_name="analytics",
    kinds={"mongodb"},
    owners=OWNERS,
    ins={"offers": dg.AssetIn(key=dg.AssetKey("email_placement_offers"))},
    description=(
        "Placement statistics per company, per branch and overall, computed from the e-mailed "
        "offers. Recomputed in full on every run, so it always matches the offers."
    ),
)
def placement_stats(
    context: dg.AssetExecutionContext, offers: list[dict[str, Any]]
) -> dg.Output[list[dict[str, Any]]]:
    stats = calculate_placement_stats(offers)
    now = datetime.now(UTC)
    body = {**stats.to_dict(), "computed_at": now, "offer_documents": len(offers)}
    documents = [
        {"_id": LATEST_ID, **body},
        {"_id": now.astimezone(IST).date().isoformat(), **body},
    ]
    overall = stats.overall
    context.log.info(
        f"{overall.students_placed} students placed by {overall.companies} companies "
        f"({overall.placement_percentage:g}% of {overall.total_eligible_students})"
    )
    return dg.Output(
        documents,
        metadata={
            "offer_documents": len(offers),
            "students_placed": overall.students_placed,
            "companies": overall.companies,
            "total_offers": overall.total_offers,
            "placement_percentage": overall.placement_percentage,
            "average_package_lpa": overall.average_package,
            "median_package_lpa": overall.median_package,
            "overall": dg.MetadataValue.md(overall_markdown(stats)),
            "per_branch": dg.MetadataValue.md(branches_markdown(stats)),
            "per_company": dg.MetadataValue.md(companies_markdown(stats)),
        },
    )
