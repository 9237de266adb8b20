"""`jiit-assets` subcommands: inspect_notice."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    """Add this module's subcommands to an argparse subparsers object."""
    del commands


def _unused(args: argparse.Namespace) -> int:
    del args
    return 0
