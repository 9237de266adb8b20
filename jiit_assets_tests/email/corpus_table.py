"""The e-mail fixture corpus and its expected results (``corpus/expected.json``)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def raw(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def names(kind: str | None = None) -> list[str]:
    return sorted(name for name, expected in EXPECTED.items() if kind is None or expected["kind"] == kind)


def appendable() -> list[tuple[bytes, Any]]:
    """Every message with its Date header as IMAP internal date (so date-range searches find it)."""
    messages = []
    for name in names():
        data = raw(name)
        header = next(
            line.split(b":", 1)[1].strip().decode()
            for line in data.split(b"\n")
            if line.lower().startswith(b"date:")
        )
        messages.append((data, parsedate_to_datetime(header)))
    return messages
