"""`jiit-assets inspect official FILE.html [--base-url URL]`: the college-page parse as stored JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from jiit_assets.defs.official.page import parse_official_page
from jiit_assets.defs.official.resources import DEFAULT_OFFICIAL_SITE_URL

MAX_FILE_BYTES = 20_000_000


def register(commands: Any) -> None:
    """Add ``official`` to the ``inspect`` subcommands."""
    parser = commands.add_parser(
        "official",
        help="parse a saved college-website page and print the official placement snapshot as JSON",
        description=(
            "Parse a saved copy of the college website (Training & Placement section) with the same "
            "rules as the official_placement_stats asset. Exits with status 2 and names what is missing "
            "when the page lacks the expected structure."
        ),
    )
    parser.add_argument("file", type=Path, help="the saved HTML page")
    parser.add_argument(
        "--base-url",
        default=DEFAULT_OFFICIAL_SITE_URL,
        help=f"URL the page was saved from; relative logo URLs resolve against it (default {DEFAULT_OFFICIAL_SITE_URL})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{path} is larger than {MAX_FILE_BYTES} bytes; not a saved web page")
    markup = path.read_bytes().decode("utf-8", errors="replace")
    parse = parse_official_page(markup, base_url=args.base_url)
    if parse.snapshot is None or parse.missing:
        print(
            f"jiit-assets: {path} does not have the official placement structure; missing: "
            f"{', '.join(parse.missing)}",
            file=sys.stderr,
        )
        return 2
    print(json.dumps(parse.snapshot.to_dict(), indent=2, ensure_ascii=False))
    if parse.snapshot.is_empty:
        print("jiit-assets: warning: no batch carries pointers or package rows", file=sys.stderr)
    return 0
