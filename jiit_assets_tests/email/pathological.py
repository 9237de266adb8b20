"""Inputs built to make regular expressions backtrack: each must be read in time linear in its size.

Used by the test beside it (which only needs every parse to finish) and by `make bench` (which
measures how long each takes).
"""

from __future__ import annotations

from collections.abc import Iterator

SIZE = 80_000


def pathological_bodies() -> Iterator[tuple[str, str]]:
    """(name, body text) pairs, each about SIZE characters."""
    yield "nested plus signs", "(" + "a+" * (SIZE // 2)
    yield "open parentheses", "(" * SIZE
    yield "digits without end", "9" * SIZE
    yield "enrollment-like runs", " ".join(["221030"] * (SIZE // 7))
    yield "student line without a name", "1. " + "- " * (SIZE // 2)
    yield "ctc words", "CTC " * (SIZE // 4)
    yield "selected repeated", "selected at " * (SIZE // 12)
    yield "one long word", "x" * SIZE
    yield "spaces and dots", " ." * (SIZE // 2)
    yield "html-ish", "<td>" * (SIZE // 4)


def as_mail(name: str, body: str) -> bytes:
    header = (
        "From: Placement Cell <tnp@jiit.ac.in>\r\nTo: students@jiit.ac.in\r\n"
        f"Subject: Results {name}\r\nDate: Mon, 01 Dec 2026 10:00:00 +0530\r\n"
        f"Message-ID: <pathological-{abs(hash(name))}@jiit.ac.in>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return header.encode() + body.encode()


def as_portal_notice(name: str, body: str) -> dict[str, object]:
    return {
        "identifier": f"p-{abs(hash(name))}",
        "title": name,
        "content": f"<p>{body}</p>",
        "publishedAt": 1764563400000,
    }
