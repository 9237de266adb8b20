"""SuperSet notice payloads: what the pipeline reads from a portal notice, and merging accounts' lists.

Pure functions over the portal's JSON (no I/O, no Dagster). A notice must be an object with an
identifier; out-of-range dates become unknown with the reason recorded in ``problems``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jiit_assets.defs.superset.portal_jobs import MalformedPayload, text_or
from jiit_assets.lib.ranges import epoch_problem
from jiit_assets.lib.text import from_epoch_ms


@dataclass(frozen=True)
class RawNotice:
    """What the rest of the pipeline needs from a portal notice (the raw document keeps everything)."""

    identifier: str
    title: str
    content: str  # HTML as the portal sent it
    author: str
    published_at: datetime | None
    last_modified_at: datetime | None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Dates the portal sent out of range (taken as unknown), with the reason for each.
    problems: tuple[str, ...] = ()


def parse_raw_notice(raw: object) -> RawNotice:
    """A portal notice; :class:`MalformedPayload` when it is not an object or has no identifier."""
    if not isinstance(raw, Mapping):
        raise MalformedPayload(f"a notice must be a JSON object, got {type(raw).__name__}")
    identifier = raw.get("identifier")
    if isinstance(identifier, bool) or not isinstance(identifier, str | int) or not text_or(identifier):
        raise MalformedPayload("notice has no identifier")
    content = raw.get("content")
    if content is not None and not isinstance(content, str):
        raise MalformedPayload(f"notice {identifier}: content must be a string, got {type(content).__name__}")
    published = from_epoch_ms(raw.get("publishedAt"))
    modified = from_epoch_ms(raw.get("lastModifiedOn")) or published
    return RawNotice(
        identifier=text_or(identifier),
        title=text_or(raw.get("title"), "Notice"),
        content=content or "",
        author=text_or(raw.get("lastModifiedByUserName")),
        published_at=published,
        last_modified_at=modified,
        extra=dict(raw),
        problems=tuple(
            problem
            for name in ("publishedAt", "lastModifiedOn")
            if (problem := epoch_problem(name, raw.get(name))) is not None
        ),
    )


def merge_first_wins(
    batches: Sequence[Sequence[Mapping[str, Any]]], key: str
) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """Entries of several accounts' lists, first occurrence of each ``key`` winning, in O(n).

    Also returns, per key, the indexes of the batches (accounts) that listed it, so a follow-up
    call can use an account that can actually see the entry.
    """
    merged: dict[str, dict[str, Any]] = {}
    seen_by: dict[str, list[int]] = {}
    for index, batch in enumerate(batches):
        for entry in batch:
            if not isinstance(entry, Mapping):
                continue
            value = entry.get(key)
            if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
                continue
            entry_key = str(value).strip()
            if entry_key not in merged:
                merged[entry_key] = dict(entry)
                seen_by[entry_key] = []
            if index not in seen_by[entry_key]:
                seen_by[entry_key].append(index)
    return list(merged.values()), seen_by
