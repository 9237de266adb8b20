"""`jiit-assets`: the operator's command line (inspect payloads, manage keys and subscribers, migrate)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from jiit_assets.cli import (
    inspect_email,
    inspect_notice,
    inspect_official,
    inspect_superset,
    migrate,
    notify_admin,
    serve,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jiit-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="run the parsing rules on a saved payload and print JSON")
    inspect_commands = inspect.add_subparsers(dest="what", required=True)
    for module in (inspect_superset, inspect_notice, inspect_email, inspect_official):
        module.register(inspect_commands)
    notify_admin.register(commands)
    serve.register(commands)
    migrate.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (OSError, ValueError) as error:
        print(f"jiit-assets: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
