"""Channel messages for a notice: Telegram HTML chunks and a Web Push payload.

Pure functions of a :class:`NoticeContent`. The rules exist because
each of these broke delivery in practice:

* every piece of text is HTML-escaped, and only tags Telegram accepts are produced, so a notice
  saying ``CGPA < 7`` or ``<script>`` is shown as written instead of failing to parse;
* long messages are split AFTER rendering, by Telegram's own measure (UTF-16 code units of the
  text once tags are removed and entities decoded), at paragraph, then line, then word
  boundaries, never inside a tag or an entity, and every chunk closes the tags it opened and
  reopens them in the next chunk;
* the push payload is plain text and small enough to encrypt into one aes128gcm record.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from jiit_assets.lib.models import NoticeContent, NoticeType, PushPayload, RenderedNotice
from jiit_assets.lib.text import format_ist

TELEGRAM_MAX_UNITS = 4096
# Leaves room for aes128gcm overhead (86-byte header, 16-byte tag, padding delimiter) within the
# 4096-byte record that push services accept, whichever way the delivery code serialises JSON.
PUSH_MAX_BYTES = 3000
PUSH_TITLE_MAX_CHARS = 120
PUSH_URL_MAX_CHARS = 1000
ELLIPSIS = "…"

TYPE_HEADERS: dict[NoticeType, tuple[str, str]] = {
    NoticeType.UPDATE: ("🔔", "Update"),
    NoticeType.SHORTLISTING: ("🎉", "Shortlisting"),
    NoticeType.ANNOUNCEMENT: ("📣", "Announcement"),
    NoticeType.HACKATHON: ("🏁", "Hackathon"),
    NoticeType.WEBINAR: ("🎓", "Webinar"),
    NoticeType.JOB_POSTING: ("📢", "Job Posting"),
    NoticeType.PLACEMENT_OFFER: ("🏆", "Placement Offers"),
    NoticeType.REMINDER: ("⏰", "Reminder"),
    NoticeType.INTERNSHIP_NOC: ("📋", "Internship NOC"),
}
UPDATED_MARKER = "✏️ Updated"


def escape_text(text: str) -> str:
    """Text for Telegram HTML: ``&``, ``<`` and ``>`` as entities."""
    return html.escape(text, quote=False)


def escape_attribute(value: str) -> str:
    return html.escape(value, quote=False).replace('"', "&quot;")


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link without whitespace, else None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > PUSH_URL_MAX_CHARS or not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
        return None
    return url


def _header(content: NoticeContent) -> tuple[str, str]:
    return TYPE_HEADERS.get(content.type, ("🔔", str(content.type).replace("_", " ").title()))


def _students_heading(content: NoticeContent) -> str:
    count = len(content.students)
    if content.type == NoticeType.SHORTLISTING:
        return f"Shortlisted students ({count})"
    return f"Students ({count})"


def _student_line(index: int, name: str, enrollment: str | None) -> str:
    return f"{index}. {name} ({enrollment})" if enrollment else f"{index}. {name}"


def telegram_html(content: NoticeContent, revision: int = 1) -> str:
    """The whole message as Telegram HTML, before splitting."""
    emoji, label = _header(content)
    header = f"{emoji} <b>{escape_text(label)}</b>"
    if revision > 1:
        header = f"{UPDATED_MARKER} · {header}"
    blocks: list[str] = [f"{header}\n<b>{escape_text(content.title)}</b>"]
    if content.facts:
        blocks.append(
            "\n".join(f"<b>{escape_text(label)}:</b> {escape_text(value)}" for label, value in content.facts)
        )
    if content.students:
        lines = [f"<b>{escape_text(_students_heading(content))}:</b>"]
        lines.extend(
            escape_text(_student_line(index, student.name, student.enrollment_number))
            for index, student in enumerate(content.students, start=1)
        )
        blocks.append("\n".join(lines))
    text = content.text.strip()
    if text:
        blocks.append(escape_text(text))
    url = safe_url(content.url)
    if url:
        link_label = "View job details" if content.job_id else "Open link"
        blocks.append(f'🔗 <a href="{escape_attribute(url)}">{link_label}</a>')
    footer = _footer(content)
    if footer:
        blocks.append(f"<i>{escape_text(footer)}</i>")
    return "\n\n".join(blocks)


def _footer(content: NoticeContent) -> str:
    parts = []
    if content.author:
        parts.append(f"Posted by {content.author}")
    if content.published_at:
        when = format_ist(content.published_at)
        parts.append(f"on {when}" if parts else f"Posted on {when}")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# Splitting by Telegram's measure
# ---------------------------------------------------------------------------------------------

# Tags, entities, single whitespace characters (the places a split may happen), and runs of up to 32
# other characters (a word longer than that may be cut between runs, and only when no space is near).
_TOKEN = re.compile(
    r"<[^<>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});|\s|[^<&\s]{1,32}|.", re.DOTALL
)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")


@dataclass(frozen=True)
class _Token:
    raw: str
    units: int  # UTF-16 code units this token contributes after entity parsing
    tag: str | None = None  # tag name for tags
    closing: bool = False

    @property
    def is_text(self) -> bool:
        return self.tag is None


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _tokenize(markup: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(markup):
        raw = match.group(0)
        if raw.startswith("<") and len(raw) > 1:
            tag = _TAG.match(raw)
            name = tag.group(2).lower() if tag else ""
            tokens.append(_Token(raw=raw, units=0, tag=name, closing=bool(tag and tag.group(1))))
        elif raw.startswith("&") and len(raw) > 1:
            tokens.append(_Token(raw=raw, units=utf16_units(html.unescape(raw))))
        else:
            tokens.append(_Token(raw=raw, units=utf16_units(raw)))
    return tokens


def telegram_length(markup: str) -> int:
    """Length of a Telegram HTML message as Telegram counts it."""
    return sum(token.units for token in _tokenize(markup))


def _apply(stack: list[_Token], token: _Token) -> None:
    if token.tag is None:
        return
    if token.closing:
        for index in range(len(stack) - 1, -1, -1):
            if stack[index].tag == token.tag:
                del stack[index:]
                break
    else:
        stack.append(token)


def _break_index(tokens: Sequence[_Token], start: int, end: int, limit: int) -> int:
    """Where to cut tokens[start:end] (which fits): after a paragraph, a line, a word, else at ``end``."""
    if end >= len(tokens):
        return end
    floor = limit // 2  # a break that leaves the chunk less than half full is not worth it
    for separator in ("\n\n", "\n", " "):
        units = 0
        best = None
        for index in range(start, end):
            units += tokens[index].units
            if units < floor:
                continue
            if separator == "\n\n":
                hit = tokens[index].raw == "\n" and index > start and tokens[index - 1].raw == "\n"
            else:
                hit = tokens[index].raw == separator
            if hit:
                best = index + 1
        if best is not None:
            return best
    cut = end
    while cut > start + 1 and tokens[cut - 1].tag is not None and not tokens[cut - 1].closing:
        cut -= 1  # never leave an opening tag with nothing inside at the end of a chunk
    return cut


def split_telegram_html(markup: str, limit: int = TELEGRAM_MAX_UNITS) -> list[str]:
    """Chunks of at most ``limit`` units (Telegram's measure), each with balanced tags."""
    if utf16_units(telegram_plain_text(markup)) <= limit:
        return [markup] if telegram_plain_text(markup).strip() else []
    tokens = _tokenize(markup)
    chunks: list[str] = []
    stack: list[_Token] = []
    start = 0
    while start < len(tokens):
        units = 0
        end = start
        while end < len(tokens) and units + tokens[end].units <= limit:
            units += tokens[end].units
            end += 1
        if end == start:  # a single token longer than the limit cannot happen for text; guard anyway
            end = start + 1
        cut = _break_index(tokens, start, end, limit)
        # Closing tags right after the cut belong to this chunk (they add no length).
        while cut < len(tokens) and tokens[cut].closing:
            cut += 1
        reopen = "".join(token.raw for token in stack)
        for token in tokens[start:cut]:
            _apply(stack, token)
        body = "".join(token.raw for token in tokens[start:cut])
        closing = "".join(f"</{token.tag}>" for token in reversed(stack))
        chunk = _strip_inner(reopen + body) + closing
        if telegram_plain_text(chunk).strip():
            chunks.append(chunk)
        start = cut
        while start < len(tokens) and tokens[start].is_text and tokens[start].raw.isspace():
            start += 1
    return chunks


def _strip_inner(markup: str) -> str:
    """Trailing whitespace before the closing tags is noise Telegram would trim anyway."""
    return markup.rstrip()


def telegram_plain_text(html_chunk: str) -> str:
    """What a Telegram HTML chunk reads as: tags removed, entities decoded (for the plain-text fallback)."""
    return html.unescape(re.sub(r"<[^<>]*>", "", html_chunk))


# ---------------------------------------------------------------------------------------------
# Web Push
# ---------------------------------------------------------------------------------------------


def _payload_bytes(payload: PushPayload) -> int:
    document = payload.to_document()
    return max(
        len(json.dumps(document, ensure_ascii=False).encode("utf-8")),
        len(json.dumps(document).encode("utf-8")),
    )


def _truncate(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    cut = text[: max(0, length - 1)].rstrip()
    return cut + ELLIPSIS


def push_payload(content: NoticeContent, revision: int = 1) -> PushPayload:
    """Title, plain-text body and link of the push notification, within :data:`PUSH_MAX_BYTES`."""
    emoji, _ = _header(content)
    title = f"{emoji} {content.title}"
    if revision > 1:
        title = f"{UPDATED_MARKER}: {content.title}"
    title = _truncate(" ".join(title.split()), PUSH_TITLE_MAX_CHARS)
    lines: list[str] = []
    if content.facts:
        lines.append(" · ".join(f"{label}: {value}" for label, value in content.facts))
    if content.students:
        names = ", ".join(student.name for student in content.students)
        lines.append(f"{_students_heading(content)}: {names}")
    if content.text.strip():
        # A notification has no room for blank lines between paragraphs.
        lines.append(re.sub(r"\n\s*\n", "\n", content.text.strip()))
    body = "\n".join(lines) or content.title
    payload = PushPayload(
        title=title, body=body, url=safe_url(content.url), notice_id=content.notice_id, type=str(content.type)
    )
    if _payload_bytes(payload) <= PUSH_MAX_BYTES:
        return payload
    low, high = 0, len(body)
    while low < high:  # the longest body prefix that fits
        middle = (low + high + 1) // 2
        candidate = PushPayload(
            payload.title, _truncate(body, middle), payload.url, payload.notice_id, payload.type
        )
        if _payload_bytes(candidate) <= PUSH_MAX_BYTES:
            low = middle
        else:
            high = middle - 1
    return PushPayload(payload.title, _truncate(body, low), payload.url, payload.notice_id, payload.type)


def render_notice(content: NoticeContent, *, revision: int = 1) -> RenderedNotice:
    """Telegram chunks and the push payload of a notice; ``revision > 1`` marks an edited notice."""
    return RenderedNotice(
        telegram_html=tuple(split_telegram_html(telegram_html(content, revision))),
        push=push_payload(content, revision),
    )
