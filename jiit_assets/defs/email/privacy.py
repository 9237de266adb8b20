"""What of a mail may be read and stored: no forwarded-header blocks, addresses or phone numbers.

Forwarded and replied chains (Gmail, Outlook, Apple Mail "Begin forwarded message:", quoted replies
"On … wrote:" with "> " markers) are unwrapped so the forwarded mail's own words are read, while its
header block (From/Sent/To/Subject) is dropped. Every pattern is bounded, and lines are handled one
at a time, so a hostile message cannot make the scan slow.
"""

from __future__ import annotations

import re

from jiit_assets.lib.markup import normalize_space

# Forward markers in any language ("---------- अग्रेषित संदेश ---------" from Gmail in Hindi).
_FORWARD_LINE = re.compile(
    r"^\s{0,20}(?:-{2,}\s{0,5}(?:Forwarded message|Original Message|[^\x00-\x7f][^\n-]{0,40})\s{0,5}-{2,}|"
    r"Begin forwarded message:?|_{8,}"
    r"|On\b.{0,160}\bwrote:)\s{0,20}$",
    re.IGNORECASE,
)
# Header labels, also as Gmail writes them in Hindi (प्रेषक From, दिनांक Date, विषय Subject, प्रति To);
# an empty "To" or "Cc" stands alone on its line.
_HEADER_LINE = re.compile(
    r"^\s{0,20}\*?(?:From|Sent|Date|To|Cc|Bcc|Subject|Reply-To|Sender|प्रेषक|दिनांक|विषय|प्रति|भेजा\s+गया)"
    r"\s{0,3}(?::\*?\s|:?\s{0,3}$)",
    re.IGNORECASE,
)
_BLOCK_START = re.compile(r"^\s{0,20}\*?(?:From|प्रेषक)\s{0,3}:\*?\s", re.IGNORECASE)
_BLOCK_SECOND = re.compile(r"^\s{0,20}\*?(?:Sent|Date|दिनांक|भेजा\s+गया)\s{0,3}:\*?\s", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"^(?:[ \t]{0,4}>){1,8}[ \t]?")
_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}>?")
_PHONE_LABELLED = re.compile(
    r"(?i)\b(?:mob(?:ile)?|ph(?:one)?|tel|contact(?:\s+no\.?)?|call|whats\s?app|cell)\s{0,3}(?:no\.?|number)?\s{0,3}[:.\-]?\s{0,3}"
    r"(?:\+?\d[\d\s\-()]{8,16}\d)"
)
_PHONE_INTL = re.compile(r"(?:\+91[\s\-]?|\(\+91\)\s?)\d{5}[\s\-]?\d{5}\b|\b[6-9]\d{4}[\s\-]\d{5}\b")
_GROUP_FOOTER = re.compile(
    r"(?m)^\s{0,20}-{0,2}\s{0,5}\n?You received this message because you are subscribed to"
)
_MOBILE_SIGNATURE = re.compile(
    r"(?i)^\s{0,10}(?:sent from my \w[\w ]{0,30}|get outlook for \w{1,20})\s{0,10}$"
)
MAX_LINE_CHARS = 5_000


def unquote(text: str) -> str:
    """The text with reply quote markers ("> ", ">> ") removed from the start of every line."""
    return "\n".join(_QUOTE_MARK.sub("", line[:MAX_LINE_CHARS]) for line in text.split("\n"))


def strip_private(text: str) -> str:
    """Drop forwarded-header blocks, quoted-reply markers, addresses, phone numbers, list footers."""
    footer = _GROUP_FOOTER.search(text)
    if footer:
        text = text[: footer.start()]
    kept: list[str] = []
    state = ""  # "marker": after a forward marker, "headers": inside a header block
    lines = unquote(text).split("\n")
    for index, line in enumerate(lines):
        if _FORWARD_LINE.match(line) or _MOBILE_SIGNATURE.match(line):
            state = "marker"
            continue
        if _BLOCK_START.match(line) and index + 1 < len(lines) and _BLOCK_SECOND.match(lines[index + 1]):
            state = "headers"  # an Outlook header block with no marker above it: "From: …" then "Sent: …"
            continue
        if _HEADER_LINE.match(line) and (state or not any(k.strip() for k in kept)):
            state = "headers"
            continue
        if not line.strip() and state:
            state = "" if state == "headers" else state
            continue
        state = ""
        cleaned = _EMAIL.sub("", _PHONE_INTL.sub("", _PHONE_LABELLED.sub("", line)))
        if cleaned != line:  # tidy the punctuation left where an address or number was
            cleaned = re.sub(r"\s+([,;:.])", r"\1", cleaned).rstrip(" ,;:")
        kept.append(cleaned)
    return normalize_space("\n".join(kept))


def clean_subject(subject: str) -> str:
    """Subject without reply/forward prefixes and mailing-list tags."""
    subject = subject[:1000]
    previous = None
    while previous != subject:
        previous = subject
        subject = re.sub(
            r"^\s*(?:(?:re|fwd?|fw|aw|tr)\s*:|\[[^\]]{1,60}\])\s*", "", subject, flags=re.IGNORECASE
        )
    return normalize_space(subject).replace("\n", " ")
