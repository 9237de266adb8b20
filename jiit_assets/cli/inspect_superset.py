"""`jiit-assets inspect superset-job LISTING.json [DETAILS.json]`: a portal job as the stored JSON.

For checking the job-structuring rules on real payloads: save one entry of the portal's
``job_profiles`` listing and that job's details response, and see exactly the ``enriched_jobs``
document the pipeline would store (document URLs stay null: they need a logged-in session).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jiit_assets.cli.saved_json import read_saved_json
from jiit_assets.defs.superset.portal_jobs import MalformedPayload, structure_job


def register(commands: Any) -> None:
    """Add ``superset-job`` to the ``inspect`` subcommands."""
    parser = commands.add_parser(
        "superset-job",
        help="structure a saved SuperSet job listing (+ details) and print the enriched_jobs document as JSON",
        description=(
            "Apply the enriched_jobs rules to a saved job listing entry (one object of the portal's "
            "job_profiles response, or a one-element array) and optionally that job's details response. "
            "Prints the document with the field names the campus web app reads."
        ),
    )
    parser.add_argument("listing", type=Path, help="JSON file: one job listing entry")
    parser.add_argument("details", type=Path, nargs="?", help="JSON file: the job's details response")
    parser.set_defaults(handler=run)


def _one_listing(data: Any, path: Path) -> Mapping[str, Any]:
    if isinstance(data, list):
        if len(data) != 1:
            raise ValueError(f"{path} holds {len(data)} listing entries; save just the one job to inspect")
        data = data[0]
    if not isinstance(data, Mapping):
        raise ValueError(f"{path} must hold a JSON object (a job listing entry), not {type(data).__name__}")
    return data


def run(args: argparse.Namespace) -> int:
    listing = _one_listing(read_saved_json(args.listing, "the listing"), args.listing)
    details = read_saved_json(args.details, "the details") if args.details else None
    if details is not None and not isinstance(details, Mapping):
        raise ValueError(
            f"{args.details} must hold a JSON object (job details), not {type(details).__name__}"
        )
    try:
        job = structure_job(listing, details)
    except MalformedPayload as error:
        raise ValueError(f"{args.listing}: {error}") from None
    document = job.to_document()
    document.pop("_id")
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
