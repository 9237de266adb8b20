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


# Exit statuses: 0 done (JSON on stdout), 1 the input cannot be read or used, 2 the input lacks what
# the command needs (argparse uses 2 as well), 3 the rules failed on the input (a bug to report).
EXIT_BAD_INPUT = 1
EXIT_RULES_FAILED = 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure is one line on stderr and a non-zero status, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (OSError, ValueError) as error:
        print(f"jiit-assets: {_one_line(error)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (RecursionError, MemoryError) as error:
        print(
            f"jiit-assets: the input is too large or nested too deeply to inspect ({type(error).__name__})",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except Exception as error:  # an operator tool says what broke instead of printing a traceback
        print(
            f"jiit-assets: the rules failed on this input ({type(error).__name__}: {_one_line(error)}); "
            "this is a bug: please report it with the file",
            file=sys.stderr,
        )
        return EXIT_RULES_FAILED


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


if __name__ == "__main__":
    raise SystemExit(main())
