"""`jiit-assets inspect email FILE.eml`: run the e-mail rules on a saved message and print JSON.

The output is exactly what the pipeline would decide and store, so an operator can check why a
mail became (or did not become) an offer without touching the mailbox or the database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.message import MAX_RAW_BYTES, EmailDecodeError, decode_email


def register(commands: Any) -> None:
    """Add this module's subcommands to an argparse subparsers object."""
    parser = commands.add_parser("email", help="decide offer / notice / skipped for a saved .eml message")
    parser.add_argument("file", type=Path, help="an RFC 5322 message (.eml), as saved by a mail client")
    parser.set_defaults(handler=run)


def inspect_message(raw: bytes) -> dict[str, Any]:
    """The decision and extraction for one raw message, in the documented JSON shape."""
    mail = decode_email(raw)
    classified = classify_email(mail)
    offer, content = classified.offer, classified.notice
    # What was read as unknown and why (an out-of-range date, say): the pipeline records the same.
    notes = list(mail.notes)
    if offer is not None:
        return {
            "kind": "placement_offer",
            "reason": classified.reason,
            "notes": notes,
            "offer": {
                "company": offer.company,
                "roles": [{"role": role.role, "package_lpa": role.package} for role in offer.roles],
                "students": [
                    {
                        "name": student.name,
                        "enrollment_number": student.enrollment_number,
                        "role": student.role,
                        "package_lpa": student.package,
                    }
                    for student in offer.students
                ],
                "number_of_offers": offer.number_of_offers,
            },
            "notice": None,
        }
    if content is None:
        return {"kind": "skipped", "reason": classified.reason, "notes": notes, "offer": None, "notice": None}
    return {
        "kind": "notice",
        "reason": classified.reason,
        "notes": notes,
        "offer": None,
        "notice": {"type": str(content.type), "title": content.title, "text": content.text},
    }


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"jiit-assets: {path} is not a file", file=sys.stderr)
        return 2
    if path.stat().st_size > MAX_RAW_BYTES:
        print(
            f"jiit-assets: {path} is larger than the {MAX_RAW_BYTES // (1024 * 1024)} MB message cap",
            file=sys.stderr,
        )
        return 1
    try:
        result = inspect_message(path.read_bytes())
    except EmailDecodeError as error:
        print(f"jiit-assets: cannot decode {path}: {error.reason}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
