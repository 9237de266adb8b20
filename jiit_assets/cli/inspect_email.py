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

from jiit_assets.parsing.email_message import MAX_RAW_BYTES, EmailDecodeError, decode_email
from jiit_assets.parsing.email_notices import classify_notice, notice_content
from jiit_assets.parsing.email_offers import decide_offer, extract_offer


def register(commands: Any) -> None:
    """Add this module's subcommands to an argparse subparsers object."""
    parser = commands.add_parser("email", help="decide offer / notice / skipped for a saved .eml message")
    parser.add_argument("file", type=Path, help="an RFC 5322 message (.eml), as saved by a mail client")
    parser.set_defaults(handler=run)


def inspect_message(raw: bytes) -> dict[str, Any]:
    """The decision and extraction for one raw message, in the documented JSON shape."""
    mail = decode_email(raw)
    decision = decide_offer(mail.subject, mail.text)
    reason = decision.reason
    if decision.is_offer:
        extracted = extract_offer(
            mail.subject, mail.text, message_key=mail.message_key, time_sent=mail.sent_at
        )
        if extracted.offer is not None:
            offer = extracted.offer
            return {
                "kind": "placement_offer",
                "reason": extracted.reason,
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
        reason = extracted.reason
    notice = classify_notice(mail.subject, mail.text)
    if notice.notice_type is None:
        return {"kind": "skipped", "reason": notice.reason, "offer": None, "notice": None}
    content = notice_content(mail, notice.notice_type)
    return {
        "kind": "notice",
        "reason": f"{notice.reason}; {reason}",
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
