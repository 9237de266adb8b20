"""`jiit-assets inspect superset-notice NOTICE.json [--jobs JOBS.json]`: the notice rules on a saved payload.

Prints the type, company, linked job, parsed students, the Telegram HTML chunks and the push
payload exactly as the ``notices`` asset would queue them, for checking the rules on real notices.
The reason for each decision (which type rule held, where the company and job came from) goes to
standard error, so the JSON on standard output keeps its shape for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jiit_assets.cli.saved_json import read_saved_json
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.notices.rules import JobSummary, superset_notice_content, superset_notice_reasons


def register(commands: Any) -> None:
    """Add this module's subcommands to an argparse subparsers object."""
    parser = commands.add_parser(
        "superset-notice",
        help="classify, link and render a raw SuperSet notice (JSON as the portal returns it)",
        description=__doc__,
    )
    parser.add_argument("notice", type=Path, metavar="NOTICE.json", help="one notice object from the portal")
    parser.add_argument(
        "--jobs", type=Path, metavar="JOBS.json", help="a list of structured jobs to link the notice against"
    )
    parser.set_defaults(handler=run)


def _jobs(path: Path | None) -> list[JobSummary]:
    if path is None:
        return []
    data = read_saved_json(path, "the jobs file")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError(f"{path}: expected a JSON list of job objects")
    return [JobSummary.from_document(item) for item in data]


def inspect(notice: Any, jobs: list[JobSummary]) -> dict[str, Any]:
    """The inspection result for one raw notice (a dict) and candidate jobs."""
    content = superset_notice_content(notice, jobs)
    rendered = render_notice(content)
    return {
        "type": str(content.type),
        "company": content.company,
        "job_id": content.job_id,
        "students": [
            {"name": student.name, "enrollment_number": student.enrollment_number}
            for student in content.students
        ],
        "telegram_html": list(rendered.telegram_html),
        "push": {"title": rendered.push.title, "body": rendered.push.body, "url": rendered.push.url},
    }


def run(args: argparse.Namespace) -> int:
    notice = read_saved_json(args.notice, "the notice")
    if not isinstance(notice, dict):
        raise ValueError(f"{args.notice}: expected one notice object, got a JSON {type(notice).__name__}")
    jobs = _jobs(args.jobs)
    try:
        result = inspect(notice, jobs)
        reasons = superset_notice_reasons(notice, jobs)
    except ValueError as error:
        raise ValueError(f"{args.notice}: {error}") from None
    for reason in reasons:
        print(f"reason: {reason}", file=sys.stderr)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0
