"""`jiit-assets migrate legacy --from-database NAME [--dry-run]`: take over an older installation.

Reads the older system's database on the same server (MONGODB_URI), or on ``--from-uri``, and
imports it into ours (MONGODB_DATABASE); see ``jiit_assets.defs.campus_app.migration`` for what is
imported and how. Prints the counts per collection as JSON. Idempotent: run it again after a crash
or to pick up what the older system wrote since.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from pymongo.errors import PyMongoError

from jiit_assets.defs.campus_app.migration import DEFAULT_BACKLOG_DAYS, migrate_legacy
from jiit_assets.lib.mongo import (
    DEFAULT_MONGODB_DATABASE,
    DEFAULT_MONGODB_URI,
    MongoConfigError,
    MongoResource,
    redact_uri,
)

LEGACY_COLLECTIONS = ("Notices", "Jobs", "PlacementOffers", "OfficialPlacementData", "Users")


def register(commands: Any) -> None:
    """Add ``migrate legacy`` to an argparse subparsers object."""
    migrate = commands.add_parser("migrate", help="import data from another installation")
    what = migrate.add_subparsers(dest="migrate_command", required=True)
    legacy = what.add_parser("legacy", help="import the older system's database into ours")
    legacy.add_argument(
        "--from-database", required=True, help="the older system's database (e.g. SupersetPlacement)"
    )
    legacy.add_argument("--from-uri", default="", help="its server, when not MONGODB_URI's")
    legacy.add_argument("--dry-run", action="store_true", help="read and count, write nothing")
    legacy.add_argument(
        "--backlog-days",
        type=int,
        default=DEFAULT_BACKLOG_DAYS,
        help="notices the older system never sent are delivered only when newer than this",
    )
    legacy.set_defaults(handler=_legacy)


def _legacy(args: argparse.Namespace) -> int:
    uri = os.environ.get("MONGODB_URI", "").strip() or DEFAULT_MONGODB_URI
    ours = MongoResource(
        uri=uri, database=os.environ.get("MONGODB_DATABASE", "").strip() or DEFAULT_MONGODB_DATABASE
    )
    source = MongoResource(uri=args.from_uri.strip() or uri, database=args.from_database)
    if args.backlog_days < 0:
        raise ValueError("--backlog-days must be 0 or more")
    try:
        source.ping()
        ours.ping()
        found = set(source.db().list_collection_names())
        if not found & set(LEGACY_COLLECTIONS):
            raise ValueError(
                f"database {args.from_database!r} on {redact_uri(source.uri)} holds none of "
                f"{', '.join(LEGACY_COLLECTIONS)}: is it the older system's database?"
            )
        # A dry run reads through plain collections: ensuring indexes would create them.
        target = (lambda name: ours.db()[name]) if args.dry_run else ours.collection
        report = migrate_legacy(source.db(), target, dry_run=args.dry_run, backlog_days=args.backlog_days)
    except MongoConfigError as error:
        raise ValueError(str(error.description)) from None
    except PyMongoError as error:
        raise ValueError(f"MongoDB error during the migration: {type(error).__name__}") from None
    finally:
        source.client.close()
        ours.client.close()
    print(
        json.dumps(
            {"from_database": args.from_database, "to_database": ours.database, **report.as_dict()},
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0
