"""Raw RFC 5322 bytes to a decoded e-mail: headers, readable text body, forwarded-message origin.

Pure functions, no I/O. Mail is untrusted input: wrong or unknown charsets, broken transfer
encodings, HTML-only bodies, text attachments posing as bodies, megabyte newsletters. Whatever can be
read is read with a safe fallback; a message that cannot be read at all raises :class:`EmailDecodeError`
carrying the message key, so the caller records it as failed and moves on.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from jiit_assets.lib.markup import html_to_text, normalize_space
from jiit_assets.lib.ranges import EARLIEST, LATEST, checked_datetime
from jiit_assets.lib.text import IST

MAX_RAW_BYTES = 25 * 1024 * 1024  # larger than any real notice; refuse rather than exhaust memory
MAX_TEXT_CHARS = 100_000  # offers and notices fit in a few kB; the rest of a huge mail is noise
MAX_HTML_CHARS = 1_000_000  # markup beyond this is not parsed at all (lxml time and memory grow with it)


class EmailDecodeError(ValueError):
    """The message cannot be read; ``reason`` is safe to store and show (no addresses, no body)."""

    def __init__(self, reason: str, message_key: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message_key = message_key


@dataclass(frozen=True)
class DecodedEmail:
    message_key: str  # sha256 of the Message-ID, else of Date+From+Subject
    message_id: str | None
    subject: str
    sender_name: str  # display name of the original sender (forwarded block first), never an address
    sent_at: datetime | None  # aware; the forwarded block's date when forwarded, else the Date header
    text: str  # readable body text, at most MAX_TEXT_CHARS
    truncated: bool = False
    header_date: datetime | None = None  # the message's own Date header (when it reached the mailbox)
    sender_domain: str | None = None  # the From address's domain (never the address itself)
    attachment_names: tuple[str, ...] = ()  # file names of attached documents and images
    notes: tuple[str, ...] = ()  # what was read as unknown and why (e.g. a date out of range)
    auto_reply: bool = False  # the headers mark it a machine's reply (Auto-Submitted, X-Autoreply)


def message_key_for(message_id: str | None, date: str, sender: str, subject: str) -> str:
    if message_id and message_id.strip("<> \t"):
        basis = "mid:" + message_id.strip().strip("<>").strip()
    else:
        basis = f"hdr:{date.strip()}\n{sender.strip()}\n{subject.strip()}"
    return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def safe_decode(payload: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; unknown or wrong charsets fall back to UTF-8, then windows-1252."""
    candidates: list[str] = []
    if charset:
        name = charset.strip().strip("\"'").lower()
        with contextlib.suppress(LookupError):  # unknown names fall through to the fallbacks
            candidates.append(codecs.lookup(name).name)
    for fallback in ("utf-8",):
        if fallback not in candidates:
            candidates.append(fallback)
    for name in candidates:
        try:
            return payload.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    # windows-1252 leaves five bytes undefined; "replace" keeps the rest readable.
    return payload.decode("windows-1252", errors="replace")


def decode_header_value(raw: str | None) -> str:
    """Every encoded-word of a header decoded (not just the first), with charset fallbacks."""
    if not raw:
        return ""
    try:
        chunks = decode_header(str(raw))
    except Exception:  # malformed encoded words: keep the raw text
        return normalize_space(str(raw)).replace("\n", " ")
    parts: list[str] = []
    previous_encoded = False
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            text = safe_decode(chunk, charset) if charset else safe_decode(chunk, "ascii")
            encoded = charset is not None
        else:
            text, encoded = chunk, False
        # RFC 2047: whitespace between adjacent encoded words is not part of the text.
        if (
            parts
            and not (encoded and previous_encoded)
            and not parts[-1].endswith(" ")
            and not text.startswith(" ")
        ):
            text = " " + text
        parts.append(text)
        previous_encoded = encoded
    return normalize_space("".join(parts)).replace("\n", " ")


def display_name(raw_from: str) -> str:
    """The sender's name without any address ("Placement Cell <tnp@x>" → "Placement Cell")."""
    decoded = decode_header_value(raw_from)
    name, address = parseaddr(decoded)
    name = strip_addresses(name).strip(" \"'<>,")
    if name:
        return name
    local = address.split("@", 1)[0] if address else ""
    return re.sub(r"[._-]+", " ", local).strip().title()


_EMAIL_ADDRESS = re.compile(r"<?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b>?")


def strip_addresses(text: str) -> str:
    return _EMAIL_ADDRESS.sub("", text)


_DATE_FORMATS = (
    "%a, %d %b %Y %I:%M %p",
    "%a, %b %d, %Y %I:%M %p",
    "%a, %d %b, %Y %I:%M %p",
    "%A, %B %d, %Y %I:%M %p",
    "%A, %d %B %Y %I:%M %p",
    "%A, %d %B, %Y %I:%M %p",
    "%d %B %Y %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%d/%m/%Y %I:%M %p",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
)


@dataclass(frozen=True)
class MailDate:
    """A date read from a mail: the value, or None and (when the text was there) why not."""

    value: datetime | None
    problem: str | None = None


def parse_mail_date(value: str | None, what: str = "Date header") -> MailDate:
    """RFC 2822 dates and the forms mail clients print in forwarded blocks; naive times are IST.

    A date that cannot be read is unknown; one outside the plausible range (a year 9999 header,
    an offset that overflows) is unknown with the reason, so one such mail never stops ingestion.
    """
    if not value:
        return MailDate(None)
    cleaned = normalize_space(value).replace("\n", " ")[:200]
    try:
        parsed = parsedate_to_datetime(cleaned)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is None:
        simple = re.sub(r"\s+at\s+", " ", cleaned)
        simple = re.sub(r"\s*\((?:IST|GMT[+\-\d:]*|UTC)\)\s*$|\s+(?:IST|GMT|UTC)$", "", simple).strip()
        simple = re.sub(r"(?i)(\d)\s*(am|pm)\b", lambda m: f"{m.group(1)} {m.group(2).upper()}", simple)
        for form in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(simple, form)
                break
            except ValueError:
                continue
    if parsed is None:
        return MailDate(None, f"{what} {cleaned[:40]!r} is not a date")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    in_range = checked_datetime(parsed)
    if in_range is None:  # year 9999, an offset that overflows, 1970: unknown, with the reason
        return MailDate(
            None, f"{what} {cleaned[:40]!r} is not a date between {EARLIEST.year} and {LATEST.year - 1}"
        )
    return MailDate(in_range.astimezone(IST))


_FORWARD_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Original Message)\s*-{2,}|Begin forwarded message:?|_{8,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_BLOCK_HEADER = re.compile(r"^\s*\*?(From|Date|Sent|Subject|To|Cc|Reply-To)\s*:\*?\s*(.*)$", re.IGNORECASE)


def forwarded_origin(text: str) -> tuple[str | None, MailDate]:
    """Original sender name and date from the first forwarded-header block, if the body has one.

    Only the header lines right after a forwarding marker count, so an "Interview Date:" further
    down the body is never taken for the send date.
    """
    match = _FORWARD_MARKER.search(text)
    if not match:
        return None, MailDate(None)
    sender: str | None = None
    sent: MailDate | None = None
    lines = text[match.end() :].lstrip("\n").split("\n")
    for line in lines[:10]:
        header = _BLOCK_HEADER.match(line)
        if not header:
            if line.strip():
                break
            continue
        name, value = header.group(1).lower(), header.group(2).strip()
        if name == "from" and sender is None:
            sender = display_name(value.replace("*", "")) or None
        elif name in ("date", "sent") and (sent is None or sent.value is None):
            found = parse_mail_date(value, "forwarded date")
            sent = found if sent is None or found.value is not None else sent
    return sender, sent or MailDate(None)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    return disposition == "attachment" or bool(part.get_filename())


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return safe_decode(payload, part.get_content_charset())


_HAS_TABLE = re.compile(r"<t[dh]\b", re.IGNORECASE)
# Some mailers send HTML labelled text/plain: markup from the first characters, closed tags inside.
_MARKUP_START = re.compile(
    r"\A\s{0,200}<(?:!doctype|html|head|body|div|p|table|span|font|br)\b", re.IGNORECASE
)
_CLOSING_TAG = re.compile(r"</(?:p|div|td|li|table|body|html|span)>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether a text/plain body is really HTML (it opens with a tag and closes some)."""
    return bool(_MARKUP_START.search(text[:400])) and len(_CLOSING_TAG.findall(text[:20_000])) >= 2


def _readable(text: str) -> bool:
    """False for binary garbage (e.g. a corrupt base64 body decoding to noise)."""
    sample = text[:4000]
    if not sample.strip():
        return True
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\r\t"))
    return bad / len(sample) < 0.1


def _body_text(message: Message, key: str) -> str:
    plain: str | None = None
    html: str | None = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = _part_text(part)
        elif content_type == "text/html" and html is None:
            html = _part_text(part)
    if html is None and plain is not None and looks_like_html(plain):
        html, plain = plain, None
    if html is not None and len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    # Plain text is preferred, except when the HTML alternative holds tables: plain renderings of
    # tables lose their columns, and student lists are usually tables.
    if html is not None and (plain is None or not plain.strip() or _HAS_TABLE.search(html)):
        text = html_to_text(html)
        source = "HTML"
    elif plain is not None:
        text = normalize_space(plain)
        source = "text"
    else:
        return ""
    if not _readable(text):
        raise EmailDecodeError(f"the {source} body is not readable text (corrupt transfer encoding?)", key)
    return text


def decode_email(raw: bytes) -> DecodedEmail:
    """Decode one message; raises EmailDecodeError when nothing readable can be recovered."""
    if len(raw) > MAX_RAW_BYTES:
        head = raw[:65536]
        message = email.message_from_bytes(head, policy=email.policy.compat32)
        key = message_key_for(
            message.get("Message-ID"),
            message.get("Date", ""),
            message.get("From", ""),
            message.get("Subject", ""),
        )
        raise EmailDecodeError(
            f"message is {len(raw) // (1024 * 1024)} MB, above the {MAX_RAW_BYTES // (1024 * 1024)} MB cap",
            key,
        )
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as error:  # the parser is lenient; this is truly unparseable input
        raise EmailDecodeError(f"not an e-mail message ({type(error).__name__})", _raw_key(raw)) from None
    raw_subject = str(message.get("Subject") or "")
    raw_from = str(message.get("From") or "")
    raw_date = str(message.get("Date") or "")
    message_id = str(message.get("Message-ID") or "").strip() or None
    if not (message_id or raw_from or raw_subject or raw_date):
        raise EmailDecodeError("no headers: not an e-mail message", _raw_key(raw))
    key = message_key_for(message_id, raw_date, raw_from, raw_subject)
    text = _body_text(message, key)
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        text = text[:MAX_TEXT_CHARS]
    original_sender, original_date = forwarded_origin(text)
    header_date = parse_mail_date(raw_date)
    sender = original_sender or display_name(raw_from) or _first_address_name(message)
    notes = tuple(problem for problem in (header_date.problem, original_date.problem) if problem)
    return DecodedEmail(
        message_key=key,
        message_id=message_id,
        subject=decode_header_value(raw_subject),
        sender_name=sender,
        sent_at=original_date.value or header_date.value,
        text=text,
        truncated=truncated,
        header_date=header_date.value,
        sender_domain=_sender_domain(raw_from),
        attachment_names=_attachment_names(message),
        notes=notes,
        auto_reply=_auto_reply(message),
    )


def _auto_reply(message: Message) -> bool:
    """An out-of-office or other machine reply, by the headers mail software sets on one (RFC 3834)."""
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    return submitted not in ("", "no") or any(message.get(name) for name in ("X-Autoreply", "X-Autorespond"))


def _attachment_names(message: Message) -> tuple[str, ...]:
    names: list[str] = []
    for part in message.walk():
        if part.is_multipart() or not _is_attachment(part):
            continue
        names.append(decode_header_value(part.get_filename() or "")[:200] or part.get_content_type())
        if len(names) >= 20:
            break
    return tuple(names)


def _sender_domain(raw_from: str) -> str | None:
    for _name, address in getaddresses([raw_from[:1000]]):
        domain = address.rpartition("@")[2].strip().lower()
        if address.count("@") == 1 and re.fullmatch(r"[a-z0-9.-]{1,120}", domain):
            return domain
    return None


def _first_address_name(message: Message) -> str:
    for name, _address in getaddresses([str(message.get("Sender") or "")]):
        if name:
            return strip_addresses(name)
    return ""


def _raw_key(raw: bytes) -> str:
    return hashlib.sha256(b"raw:" + raw[:1_000_000]).hexdigest()
