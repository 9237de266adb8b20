"""The e-mail fixture corpus and its expected results (``corpus/expected.json``)."""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def names(kind: str | None = None) -> list[str]:
    return sorted(name for name, expected in EXPECTED.items() if kind is None or expected["kind"] == kind)


def _date(name: str) -> datetime:
    data = raw(name)
    header = next(line for line in data.split(b"\n") if line.lower().startswith(b"date:"))
    return parsedate_to_datetime(header.split(b":", 1)[1].strip().decode())


def mailbox_order() -> list[str]:
    """Message names in arrival order, as a real mailbox would hold them."""
    return sorted(names(), key=lambda name: (_date(name), name))


def appendable() -> list[tuple[bytes, datetime]]:
    """Every message in arrival order, its Date header as IMAP internal date (for date-range searches)."""
    return [(raw(name), _date(name)) for name in mailbox_order()]
