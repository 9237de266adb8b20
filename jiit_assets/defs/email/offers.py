"""Final placement offers in placement-office mail: the decision, the extraction and the merge.

Deterministic rules, no language model. The decision is deliberately strict: a mail is an
offer only when it announces a *final* selection (placed, final selects, offer letters released, PPO),
names a company and states a package. Shortlists, next-round results, schedules, pre-placement talks,
reminders that mention offer letters, newsletters "offering" discounts and account alerts are not
offers, whatever words they share with one. All patterns match on word boundaries.

Privacy: forwarded-header blocks, e-mail addresses and phone numbers are removed before anything is
extracted, so they can never reach a stored field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.text import company_key

# --- privacy -----------------------------------------------------------------------------------

_FORWARD_LINE = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Original Message)\s*-{2,}|Begin forwarded message:?|_{8,}"
    r"|On\b.{0,120}\bwrote:)\s*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^\s*\*?(?:From|Sent|Date|To|Cc|Bcc|Subject|Reply-To|Sender)\s*:\*?\s", re.IGNORECASE
)
_EMAIL = re.compile(r"<?(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")
_PHONE_LABELLED = re.compile(
    r"(?i)\b(?:mob(?:ile)?|ph(?:one)?|tel|contact(?:\s+no\.?)?|call|whats\s?app|cell)\s*(?:no\.?|number)?\s*[:.\-]?\s*"
    r"(?:\+?\d[\d\s\-()]{8,16}\d)"
)
_PHONE_INTL = re.compile(r"(?:\+91[\s\-]?|\(\+91\)\s?)\d{5}[\s\-]?\d{5}\b|\b[6-9]\d{4}[\s\-]\d{5}\b")
_GROUP_FOOTER = re.compile(
    r"(?is)^\s*-{0,2}\s*\n?You received this message because you are subscribed to.*\Z", re.M
)


def strip_private(text: str) -> str:
    """Drop forwarded-header blocks, quoted-reply markers, addresses, phone numbers, list footers."""
    text = _GROUP_FOOTER.sub("", text)
    kept: list[str] = []
    in_block = False
    for line in text.split("\n"):
        if _FORWARD_LINE.match(line):
            in_block = True
            continue
        if _HEADER_LINE.match(line) and (in_block or not kept or not any(k.strip() for k in kept)):
            in_block = True
            continue
        if in_block and not line.strip():
            in_block = False
            continue
        in_block = False
        cleaned = _EMAIL.sub("", _PHONE_INTL.sub("", _PHONE_LABELLED.sub("", line)))
        if cleaned != line:  # tidy the punctuation left where an address or number was
            cleaned = re.sub(r"\s+([,;:.])", r"\1", cleaned).rstrip(" ,;:")
        kept.append(cleaned)
    return normalize_space("\n".join(kept))


def clean_subject(subject: str) -> str:
    """Subject without reply/forward prefixes and mailing-list tags."""
    previous = None
    while previous != subject:
        previous = subject
        subject = re.sub(
            r"^\s*(?:(?:re|fwd?|fw|aw|tr)\s*:|\[[^\]]{1,60}\])\s*", "", subject, flags=re.IGNORECASE
        )
    return normalize_space(subject).replace("\n", " ")


# --- packages ----------------------------------------------------------------------------------

_NUM = r"\d+(?:,\d{2,3})*(?:\.\d+)?"
_LAKH_UNIT = r"(?:LPA|L\.P\.A\.?|lakhs?|lacs?|lakh|lac|L)\b"
_RANGE_LAKH = re.compile(
    rf"(?i)(?P<a>{_NUM})\s*(?:{_LAKH_UNIT})?\s*(?:-|–|—|to)\s*(?P<b>{_NUM})\s*{_LAKH_UNIT}"
)
_LAKH = re.compile(rf"(?i)(?<![\d.,])(?P<a>{_NUM})\s*{_LAKH_UNIT}")
_CRORE = re.compile(r"(?i)(?<![\d.,])(?P<a>\d+(?:\.\d+)?)\s*(?:crores?|cr)\b")
_RUPEES = re.compile(
    rf"(?i)(?:Rs\.?|INR|₹)\s*(?P<a>{_NUM})(?:\s*/-)?(?P<k>\s*[kK]\b)?"
    r"(?P<per>\s*(?:per\s+(?:annum|year|month)|p\.?\s?a\.?\b|/\s*(?:month|mo|annum|year)\b|pm\b|monthly|annually|a\s+month))?"
)
_THOUSANDS = re.compile(
    r"(?i)(?<![\d.,])(?P<a>\d+(?:\.\d+)?)\s*[kK]\b(?P<per>\s*(?:per\s+month|/\s*(?:month|mo)\b|pm\b|monthly|a\s+month))?"
)
_INDIAN_GROUPED = re.compile(
    r"(?<![\d.,])(?P<a>\d{1,2},\d{2},\d{3})(?![\d,])(?P<per>\s*(?:per\s+(?:annum|month)|p\.?a\.?|/-))?"
)
# A bracketed component list ("{5.5 fixed + 1.65 variable}", "(includes 1.5 L joining bonus)")
# explains a total; its figures are not packages of their own.
_BREAKDOWN = re.compile(
    r"[{(\[](?:[^{}()\[\]]*\+[^{}()\[\]]*|\s*(?i:incl\.?|includ\w*|comprising|consisting|of\s+which)\b[^{}()\[\]]*)[})\]]"
)
_MONTHLY_CONTEXT = re.compile(r"(?i)\b(?:stipend|per\s+month|monthly|/\s*month|p\.?m\.?)\b")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@dataclass(frozen=True)
class Amount:
    lpa: float
    monthly: bool  # a stipend or monthly figure (already converted × 12 to LPA)


def find_amounts(text: str) -> list[Amount]:
    """Every money figure in LPA; component breakdowns in braces ("{5.5 fixed + …}") are ignored."""
    text = _BREAKDOWN.sub(" ", text)
    found: list[tuple[int, int, Amount]] = []

    def taken(start: int, end: int) -> bool:
        return any(start < e and s < end for s, e, _ in found)

    def add(match: re.Match[str], amount: Amount) -> None:
        if not taken(match.start(), match.end()) and amount.lpa > 0:
            found.append((match.start(), match.end(), amount))

    for match in _RANGE_LAKH.finditer(text):
        low = min(_number(match.group("a")), _number(match.group("b")))
        add(match, Amount(round(low, 2), False))
    for match in _CRORE.finditer(text):
        add(match, Amount(round(_number(match.group("a")) * 100, 2), False))
    for match in _LAKH.finditer(text):
        unit_tail = text[match.end() : match.end() + 20].lower()
        if match.group(0)[-1:] in "Ll" and not re.match(r"\s*(?:per|p\.?a|ctc|fixed|\)|,|\.|$)", unit_tail):
            continue  # a bare "L" is a lakh only where it reads like one ("12 L per annum", "12L CTC")
        add(match, Amount(round(_number(match.group("a")), 2), False))
    for match in _RUPEES.finditer(text):
        value = _number(match.group("a")) * (1000 if match.group("k") else 1)
        per = (match.group("per") or "").lower()
        tail = text[match.end() : match.end() + 40]
        monthly = bool(re.search(r"month|/mo|pm", per)) or (
            not per and bool(_MONTHLY_CONTEXT.search(tail[:25]))
        )
        if monthly:
            add(match, Amount(round(value * 12 / 100_000, 2), True))
        elif value >= 10_000:
            add(match, Amount(round(value / 100_000, 2), False))
    for match in _THOUSANDS.finditer(text):
        context = text[max(0, match.start() - 40) : match.end() + 30]
        if match.group("per") or _MONTHLY_CONTEXT.search(context):
            add(match, Amount(round(_number(match.group("a")) * 1000 * 12 / 100_000, 2), True))
    for match in _INDIAN_GROUPED.finditer(text):
        value = _number(match.group("a"))
        context = text[max(0, match.start() - 40) : match.end() + 25]
        if _MONTHLY_CONTEXT.search(context):
            add(match, Amount(round(value * 12 / 100_000, 2), True))
        else:
            add(match, Amount(round(value / 100_000, 2), False))
    found.sort(key=lambda item: item[0])
    return [amount for _, _, amount in found]


def package_from_text(text: str) -> float | None:
    """The package of one role: the lowest annual figure (final CTC over training stipends);
    for internship-only offers the monthly stipend × 12."""
    amounts = find_amounts(text)
    annual = [a.lpa for a in amounts if not a.monthly]
    if annual:
        return min(annual)
    monthly = [a.lpa for a in amounts if a.monthly]
    return min(monthly) if monthly else None


def has_amount(text: str) -> bool:
    return bool(find_amounts(text))


# --- the decision ------------------------------------------------------------------------------

_FINAL_SELECTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:has|have)\s+been\s+(?:finally\s+)?(?:selected|placed|hired|offered|recruited)\b",
        r"\bfinal(?:ly)?\s+(?:selected|selects|selections?|results?|offers?|placements?)\b",
        r"\b(?:got|received|bagged|secured|accepted|grabbed)\s+(?:an?\s+|the\s+|their\s+)?(?:job\s+|full[- ]time\s+|"
        r"internship\s+|pre[- ]placement\s+)?offers?\b",
        r"\bpre[- ]placement\s+offers?\b|\bPPOs?\b",
        r"\boffer\s+letters?\s+(?:has|have)\s+been\s+(?:issued|released|rolled\s+out|extended|sent)\b",
        r"\b(?:got\s+)?placed\s+(?:at|in|with)\b",
        r"\bselected\s+(?:at|by|with|in)\s+(?:M/s\.?\s+)?[A-Z]",
        r"\bcongratulations\b[^.\n]{0,80}\b(?:selected|placed|offers?)\b",
        r"\bplacement\s+(?:offer|result)s?\b",
        r"\bselection\s+(?:list|results?)\b",
    )
]
_NOT_FINAL_BODY = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:selected|shortlisted|short[- ]listed|qualified|cleared)\s+for\s+(?:the\s+)?(?:next|further|subsequent|"
        r"second|third|final|technical|hr|personal|group|online|coding|aptitude|interview)\b",
        r"\bnext\s+round\b",
        r"\bpre[- ]placement\s+talks?\b",
        r"\bthis\s+is\s+a\s+(?:gentle\s+|friendly\s+|final\s+)?reminder\b",
        r"\b(?:submit|upload|share|send)\s+(?:a\s+copy\s+of\s+)?(?:your|their|the)\s+offer\s+letters?\b",
        r"\b(?:security\s+alert|sign[- ]in\s+attempt|suspicious\s+(?:activity|sign[- ]in|login))\b",
        r"\b(?:\d+\s*%\s*off|discount|coupon|promo\s+code|limited[- ]time\s+offer)\b",
        r"\bunsubscribe\s+from\s+(?:this|our)\s+(?:newsletter|mailing)\b",
        r"\binterview\s+(?:schedule|slots?)\b|\b(?:test|assessment)\s+schedule\b",
    )
]
_NOT_FINAL_SUBJECT = re.compile(
    r"(?i)\b(?:short[- ]?list(?:ed|ing)?|reminder|schedule[d]?|ppt|pre[- ]placement\s+talk|webinar|hackathon|"
    r"registration|newsletter|security|noc|next\s+round|round\s+\d|interview\s+(?:call|slots?)|test\s+link)\b"
)


@dataclass(frozen=True)
class OfferDecision:
    is_offer: bool
    reason: str


def decide_offer(subject: str, text: str) -> OfferDecision:
    """Whether a mail announces final placement offers; the reason says which rule decided."""
    subject = clean_subject(subject)
    body = strip_private(text)
    whole = f"{subject}\n{body}"
    if match := _NOT_FINAL_SUBJECT.search(subject):
        return OfferDecision(False, f"subject marks a non-final notice ({match.group(0).lower()!r})")
    for pattern in _NOT_FINAL_BODY:
        if match := pattern.search(body):
            return OfferDecision(
                False, f"not a final offer: mentions {normalize_space(match.group(0)).lower()!r}"
            )
    selection = next((m for p in _FINAL_SELECTION if (m := p.search(whole))), None)
    if selection is None:
        return OfferDecision(
            False, "no final-selection wording (placed, selected at, offer letters released, PPO)"
        )
    if not has_amount(body) and not has_amount(subject):
        return OfferDecision(False, "announces selections but states no package")
    return OfferDecision(
        True, f"final selection ({normalize_space(selection.group(0)).lower()!r}) with a package"
    )


# --- extraction --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferRole:
    role: str
    package: float | None  # LPA
    package_details: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {"role": self.role, "package": self.package, "package_details": self.package_details}


@dataclass(frozen=True)
class SelectedStudent:
    name: str
    enrollment_number: str | None
    role: str | None
    package: float | None  # LPA

    @property
    def key(self) -> str:
        return (
            f"enr:{self.enrollment_number}" if self.enrollment_number else f"name:{normalize_name(self.name)}"
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "enrollment_number": self.enrollment_number,
            "role": self.role,
            "package": self.package,
        }


@dataclass(frozen=True)
class PlacementOffer:
    """One company's offers as stored in ``email_placement_offers`` (``_id`` is the company key)."""

    company: str
    roles: tuple[OfferRole, ...]
    students: tuple[SelectedStudent, ...]
    number_of_offers: int
    job_location: tuple[str, ...] = ()
    joining_date: str | None = None
    email_subject: str | None = None
    time_sent: datetime | None = None
    source_message_keys: tuple[str, ...] = ()

    @property
    def company_key(self) -> str:
        return company_key(self.company)

    def to_document(self) -> dict[str, Any]:
        return {
            "_id": self.company_key,
            "company": self.company,
            "roles": [role.to_document() for role in self.roles],
            "students_selected": [student.to_document() for student in self.students],
            "number_of_offers": self.number_of_offers,
            "job_location": list(self.job_location),
            "joining_date": self.joining_date,
            "email_subject": self.email_subject,
            "time_sent": self.time_sent,
            "source_message_keys": list(self.source_message_keys),
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PlacementOffer:
        return cls(
            company=str(document["company"]),
            roles=tuple(
                OfferRole(str(r["role"]), r.get("package"), r.get("package_details"))
                for r in document.get("roles") or ()
            ),
            students=tuple(
                SelectedStudent(str(s["name"]), s.get("enrollment_number"), s.get("role"), s.get("package"))
                for s in document.get("students_selected") or ()
            ),
            number_of_offers=int(document.get("number_of_offers") or 0),
            job_location=tuple(document.get("job_location") or ()),
            joining_date=document.get("joining_date"),
            email_subject=document.get("email_subject"),
            time_sent=document.get("time_sent"),
            source_message_keys=tuple(document.get("source_message_keys") or ()),
        )


def normalize_name(name: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", name.lower()).split())


def _role_key(role: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", role.lower()).split())


_ENROLLMENT = re.compile(r"(?<![\d.,])(?:99\d{8}|\d{8})(?![\d.,])")
_NAME_WORD = r"[A-Z][a-zA-Z'.]*"
_NAME = re.compile(rf"\b{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}\b")
_BULLET = re.compile(r"^\s*(?:[-•*▪●◦]|\(?\d{1,3}[.)]|[a-z][.)])\s+")
_LABEL = re.compile(
    r"(?im)^\s*[-•*]?\s*(?P<label>company(?:\s+name)?|organi[sz]ation|recruiter|role|profile|position|designation|"
    r"job\s+(?:title|role|profile)|ctc|package|salary|compensation|stipend|location|job\s+location|"
    r"place\s+of\s+posting|joining(?:\s+date)?|date\s+of\s+joining|doj)\s*[:\-–]\s*(?P<value>.+)$"
)
_HEADER_WORDS = {
    "name": re.compile(r"(?i)\b(?:name|student)\b"),
    "enrollment": re.compile(r"(?i)\b(?:enrol+(?:ment)?|enrl|roll|reg(?:istration)?|id)\b"),
    "role": re.compile(r"(?i)\b(?:role|profile|position|designation|job)\b"),
    "package": re.compile(r"(?i)\b(?:ctc|package|salary|stipend|compensation|lpa)\b"),
    "company": re.compile(r"(?i)\b(?:company|organi[sz]ation)\b"),
}
_COMPANY_WORD = r"(?:[A-Z0-9][\w&'.\-]*|&|and|of|\([A-Z][\w.&' ]*\))"
_COMPANY_AFTER = re.compile(
    rf"(?:placed|selected|hired|recruited|offers?|PPOs?|onboard(?:ed)?|joining|released|issued|extended|rolled\s+out)"
    rf"\s+(?:at|by|in|with|from)\s+(?:M/s\.?\s+)?(?P<company>[A-Z][\w&'.\-]*(?:[ \t]+{_COMPANY_WORD}){{0,5}})"
    rf"|(?P<company2>[A-Z][\w&'.\-]*(?:[ \t]+{_COMPANY_WORD}){{0,5}})[ \t]+(?:has|have)[ \t]+(?:extended|rolled[ \t]+out|"
    rf"made|released|issued)[ \t]+(?:\w+[ \t]+)?offers?"
)
_RESULT_OF = (
    r"(?i:\b(?:final\s+)?(?:results?|selects?|selections?|selection\s+list|offers?|ppos?)\s+(?:of|from|by)\s+)"
    r"(?:M/s\.?\s+)?(?P<company>[A-Z][\w&'.\-]*(?:[ \t]+" + _COMPANY_WORD + r"){0,5})"
)
_SUBJECT_COMPANY = [
    re.compile(p)
    for p in (
        _RESULT_OF,
        r"(?i:\b(?:at|by|in|with|from)\s+)(?P<company>[A-Z][\w&'.\-]*(?:[ \t]+" + _COMPANY_WORD + r"){0,5})",
        r"(?i:^(?:[\w\s]*?(?:results?|selects?|selections?|offers?|placements?|update)\s*[:\-–|]\s*))"
        r"(?P<company>[A-Z][\w&'.\-]*(?:\s+" + _COMPANY_WORD + r"){0,5})",
        r"^(?P<company>[A-Z][\w&'.\-]*(?:\s+"
        + _COMPANY_WORD
        + r"){0,5})\s*[:\-–|]\s*(?i:final|placement|selection|results?|offers?)",
    )
]
_COMPANY_STOP = re.compile(
    r"(?i)\s+(?:and|of|for|as|the|with|in|on|at|to|&)$|[,;:]+$|\s+(?:for|as|with)\s.*$"
)
_NOT_COMPANY = re.compile(
    r"(?i)^(?:the|jiit|jaypee|campus|final|placement|congratulations|dear|students?|following|our|this|"
    r"training|noida|sector|offer|offers)\b"
)
_ROLE_SENTENCE = re.compile(
    r"(?i)\b(?:for\s+the\s+(?:role|position|profile|post)\s+of|as\s+(?:an?\s+)?(?=[A-Z]))\s*"
    r"(?P<role>[A-Z][\w/&+\-]*(?:[ \t]+(?:[A-Z][\w/&+\-()]*|\((?:[A-Za-z ]+)\)|[-–—])){0,5})"
)
_ROLE_AMOUNT_LINE = re.compile(
    r"^\s*(?:[-•*▪●◦]|\(?\d{1,2}[.)])?\s*(?P<role>[A-Za-z][A-Za-z0-9 /&+().\-]{1,60}?)\s*(?:[:|–—]|\s-\s|\()\s*(?P<rest>.+)$"
)
_JOB_WORD = re.compile(
    r"(?i)\b(?:engineer|analyst|developer|intern|consultant|associate|trainee|manager|scientist|designer|sde|"
    r"executive|officer|architect|specialist|programmer|tester)\b"
)
_NOT_ROLE = re.compile(
    r"(?i)^(?:ctc|package|salary|compensation|stipend|total|fixed|variable|base|bonus|company|location|joining|"
    r"date|name|enrol|note|students?|offers?|number|no\.|dear|regards|congratulations|ppo|cost\s+to\s+company|"
    r"in[- ]hand|gross|the\s|all\s)"
)


def _clean_company(raw: str) -> str:
    company = raw.strip()
    for _ in range(4):
        trimmed = _COMPANY_STOP.sub("", company).strip()
        if trimmed == company:
            break
        company = trimmed
    company = re.sub(r"\s+(?:for|as|with|on|is|has|have)\b.*$", "", company)
    # A trailing alias in parentheses is not part of the name: "Paytm (One97 Communications)".
    company = re.sub(r"(?:\s*\([^()]*\))+\s*$", "", company)
    return (
        company.strip(" ,:;-–|").rstrip(".")
        if not re.search(r"(?i)\b(?:ltd|pvt|inc|co)\.$", company)
        else company.strip(" ,:;-–|")
    )


def _company(subject: str, body: str, labels: dict[str, list[str]]) -> str | None:
    candidates: list[str] = []
    candidates.extend(labels.get("company", []))
    candidates.extend(m.group("company") or m.group("company2") for m in _COMPANY_AFTER.finditer(body))
    candidates.extend(m.group("company") for m in re.finditer(_RESULT_OF, body))
    for pattern in _SUBJECT_COMPANY:
        candidates.extend(m.group("company") for m in pattern.finditer(subject))
    for raw in candidates:
        company = _clean_company(raw)
        if len(company) >= 2 and not _NOT_COMPANY.match(company) and company_key(company):
            return company
    return None


def _labels(body: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for match in _LABEL.finditer(body):
        label = match.group("label").lower()
        value = normalize_space(match.group("value")).strip(" .;")
        if not value:
            continue
        if label.startswith(("company", "organi", "recruiter")):
            kind = "company"
        elif label.startswith(("role", "profile", "position", "designation", "job")):
            kind = "role"
        elif label.startswith(("ctc", "package", "salary", "compensation", "stipend")):
            kind = "package"
        elif label.startswith(("location", "job location", "place")):
            kind = "location"
        else:
            kind = "joining"
        found.setdefault(kind, []).append(value)
    return found


def _table_blocks(body: str) -> list[tuple[dict[str, int], list[list[str]]]]:
    """Tables rendered as "a | b | c" lines (HTML tables) or tab-separated lines, with a header row."""
    blocks: list[tuple[dict[str, int], list[list[str]]]] = []
    lines = body.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        separator = " | " if " | " in line else ("\t" if "\t" in line else None)
        if separator is None:
            index += 1
            continue
        cells = [cell.strip() for cell in line.split(separator)]
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            if len(cell) > 40 or _ENROLLMENT.search(cell):
                continue
            for column, pattern in _HEADER_WORDS.items():
                if column not in columns and pattern.search(cell):
                    columns[column] = position
                    break
        if not ({"name", "role"} & set(columns)) or len(columns) < 2:
            index += 1
            continue
        rows: list[list[str]] = []
        index += 1
        while index < len(lines) and separator in lines[index]:
            rows.append([cell.strip() for cell in lines[index].split(separator)])
            index += 1
        blocks.append((columns, rows))
    return blocks


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    position = columns.get(name)
    return row[position].strip() if position is not None and position < len(row) else ""


def _clean_role(raw: str) -> str | None:
    role = normalize_space(re.sub(r"\([^)]*\d[^)]*\)", "", raw)).strip(" .,:;-–—|()")
    role = re.sub(r"(?i)\s+(?:role|profile|position)$", "", role) if len(role.split()) > 2 else role
    role = re.sub(r"(?i)\s+(?:with|at|in)\s+(?:a\s+)?(?:package|ctc|stipend).*$", "", role)
    role = re.sub(r"(?i)\s+(?:with|at)\s+[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*)*$", "", role)
    if not role or len(role) > 60 or _NOT_ROLE.match(role) or not re.search(r"[A-Za-z]{2}", role):
        return None
    return role


def _student_from_line(line: str, roles: list[OfferRole]) -> SelectedStudent | None:
    enrollment = _ENROLLMENT.search(line)
    bulleted = bool(_BULLET.match(line))
    if not enrollment and not bulleted:
        return None
    text = _BULLET.sub("", line)
    role: str | None = None
    for candidate in roles:
        if re.search(rf"(?i)\b{re.escape(candidate.role)}\b", text):
            role = candidate.role
            text = re.sub(rf"(?i)\b{re.escape(candidate.role)}\b", " ", text)
            break
    package = package_from_text(text)
    if enrollment:
        text = text.replace(enrollment.group(0), " ")
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"(?i)\b(?:enrol+(?:ment)?|roll|no\.?|id)\b\s*[:.\-]?", " ", text)
    text = re.sub(r"[\d₹,.:;|/\-–—()]+", " ", text)
    name_match = _NAME.search(text)
    if not name_match:
        return None
    name = normalize_space(name_match.group(0))
    words = name.split()
    if (
        not (2 <= len(words) <= 5)
        or _NOT_COMPANY.match(name)
        or re.search(r"(?i)\b(?:lpa|lakhs?|ctc)\b", name)
    ):
        return None
    if not enrollment and len(text.split()) > len(words) + 1:
        return None  # a bullet without an enrollment number counts only when the line is just a name
    return SelectedStudent(name, enrollment.group(0) if enrollment else None, role, package)


@dataclass(frozen=True)
class ExtractedOffer:
    offer: PlacementOffer | None
    reason: str


def extract_offer(
    subject: str, text: str, *, message_key: str = "", time_sent: datetime | None = None
) -> ExtractedOffer:
    """Company, roles with packages (LPA), students and offer count from an offer mail."""
    subject = clean_subject(subject)
    body = strip_private(text)
    labels = _labels(body)
    company = _company(subject, body, labels)
    if company is None:
        return ExtractedOffer(None, "offer wording but no company name found")

    roles: list[OfferRole] = []
    students: list[SelectedStudent] = []

    def add_role(name: str | None, package: float | None, details: str | None) -> None:
        if not name:
            return
        for position, existing in enumerate(roles):
            if _role_key(existing.role) == _role_key(name):
                if existing.package is None or (package is not None and package < existing.package):
                    roles[position] = OfferRole(existing.role, package, details or existing.package_details)
                return
        roles.append(OfferRole(name, package, details))

    table_lines: set[str] = set()
    for columns, rows in _table_blocks(body):
        for row in rows:
            table_lines.add(" | ".join(row))
            role = _clean_role(_cell(row, columns, "role")) if "role" in columns else None
            package_text = _cell(row, columns, "package")
            package = package_from_text(package_text) if package_text else None
            if package is None and package_text and re.fullmatch(r"\d+(?:\.\d+)?", package_text.strip()):
                package = float(package_text)  # a bare number under a "CTC (LPA)" header
            if "name" in columns:
                name = normalize_space(_cell(row, columns, "name"))
                enrollment = _ENROLLMENT.search(_cell(row, columns, "enrollment"))
                if name and _NAME.fullmatch(name):
                    students.append(
                        SelectedStudent(name, enrollment.group(0) if enrollment else None, role, package)
                    )
            if role:
                add_role(
                    role,
                    package,
                    package_text
                    if package_text
                    and package is not None
                    and not re.fullmatch(r"[\d.]+", package_text.strip())
                    and len(package_text) > 12
                    else None,
                )

    # Labelled single-role layout: "Role: …" with "CTC: …" (or the package anywhere in the mail).
    label_roles: list[str] = [r for r in (_clean_role(v) for v in labels.get("role", [])) if r]
    label_packages = labels.get("package", [])
    for position, role_name in enumerate(label_roles):
        package_text = (
            label_packages[position] if position < len(label_packages) else " ".join(label_packages)
        )
        details = _BREAKDOWN.search(package_text)
        add_role(
            role_name,
            package_from_text(package_text) if package_text else None,
            _details(package_text, details),
        )

    # "Software Engineer – 12 LPA" / "Data Analyst (8.5 LPA)" lines.
    if not label_roles:
        for line in body.split("\n"):
            if line in table_lines or _ENROLLMENT.search(line):
                continue
            match = _ROLE_AMOUNT_LINE.match(line)
            if not match or not has_amount(match.group("rest")):
                continue
            line_role = _clean_role(match.group("role"))
            # A capitalised two-word phrase may be a person ("Rahul Jain: 12 LPA") unless it names a job.
            if line_role and (not _NAME.fullmatch(line_role) or _JOB_WORD.search(line_role)):
                rest = match.group("rest")
                add_role(line_role, package_from_text(rest), _details(rest, _BREAKDOWN.search(rest)))

    # Sentence layout: "… for the role of Software Engineer with a CTC of 12 LPA".
    if not roles:
        for match in _ROLE_SENTENCE.finditer(body):
            sentence_role = _clean_role(match.group("role"))
            if (
                sentence_role
                and not _NOT_COMPANY.match(sentence_role)
                and company_key(sentence_role) != company_key(company)
            ):
                paragraph_end = body.find("\n\n", match.end())
                sentence = body[match.start() : paragraph_end if paragraph_end > 0 else len(body)]
                add_role(sentence_role, package_from_text(sentence) or package_from_text(body), None)
                break

    if not roles:
        package = package_from_text(" ".join(label_packages)) if label_packages else package_from_text(body)
        if package is not None:
            add_role("Not specified", package, None)

    if not students:
        for line in body.split("\n"):
            if line in table_lines:
                continue
            student = _student_from_line(line, roles)
            if student and company_key(student.name) != company_key(company):
                students.append(student)

    # One role: every student gets it. A student's own package wins over the role's.
    if len(roles) == 1:
        only = roles[0]
        students = [
            replace(s, role=s.role or only.role, package=s.package if s.package is not None else only.package)
            for s in students
        ]
    else:
        by_role = {_role_key(r.role): r for r in roles}
        students = [
            replace(
                s,
                package=s.package
                if s.package is not None
                else (
                    by_role[_role_key(s.role)].package if s.role and _role_key(s.role) in by_role else None
                ),
            )
            for s in students
        ]
    students = _dedupe_students(students)
    count = len(students) or _stated_count(body)
    if count == 0:
        return ExtractedOffer(None, "offer wording but no selected students found")
    if all(role.package is None for role in roles):
        return ExtractedOffer(None, "offer wording but no package for any role")
    locations = tuple(dict.fromkeys(_split_list(v) for v in labels.get("location", [])).keys())
    return ExtractedOffer(
        PlacementOffer(
            company=company,
            roles=tuple(roles),
            students=tuple(students),
            number_of_offers=count,
            job_location=tuple(loc for group in locations for loc in group),
            joining_date=labels["joining"][0] if labels.get("joining") else None,
            email_subject=subject,
            time_sent=time_sent,
            source_message_keys=(message_key,) if message_key else (),
        ),
        f"{company}: {len(roles)} role(s), {count} offer(s)",
    )


def _details(package_text: str, breakdown: re.Match[str] | None) -> str | None:
    if breakdown is not None:
        return normalize_space(package_text)
    if (
        re.search(r"(?i)\b(?:stipend|range|upto|up\s+to|based\s+on|\+|-|–|to)\b", package_text)
        and len(package_text) > 8
    ):
        return normalize_space(package_text)
    return None


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"\s*(?:,|/|\bor\b|\band\b)\s*", value) if part.strip())


def _stated_count(body: str) -> int:
    match = re.search(
        r"(?i)\b(\d{1,3})\s+(?:students?|offers?|candidates?)\s+(?:have\s+been|has\s+been|were|got)\b", body
    )
    return int(match.group(1)) if match else 0


def _dedupe_students(students: list[SelectedStudent]) -> list[SelectedStudent]:
    merged: list[SelectedStudent] = []
    for student in students:
        match = _find_student(merged, student)
        if match is None:
            merged.append(student)
        else:
            merged[match] = _merge_student(merged[match], student)[0]
    return merged


def _find_student(students: list[SelectedStudent], new: SelectedStudent) -> int | None:
    name = normalize_name(new.name)
    for position, old in enumerate(students):
        if new.enrollment_number and old.enrollment_number:
            if new.enrollment_number == old.enrollment_number:
                return position
            continue
        if normalize_name(old.name) == name:
            return position
    return None


def _merge_student(old: SelectedStudent, new: SelectedStudent) -> tuple[SelectedStudent, bool]:
    """Merged student and whether the package went up."""
    upgraded = new.package is not None and (old.package is None or new.package > old.package)
    return (
        SelectedStudent(
            name=old.name,
            enrollment_number=old.enrollment_number or new.enrollment_number,
            role=new.role if upgraded and new.role else (old.role or new.role),
            package=new.package if upgraded else old.package,
        ),
        upgraded,
    )


# --- merging -----------------------------------------------------------------------------------

EventType = Literal["new_offer", "updated_offer"]


@dataclass(frozen=True)
class OfferEvent:
    """What changed at one company; the id is a hash of the changes so reprocessing re-creates it."""

    id: str
    type: EventType
    company: str
    company_key: str
    new_students: tuple[SelectedStudent, ...]
    upgraded_roles: tuple[OfferRole, ...]
    roles: tuple[OfferRole, ...]  # all roles after the merge
    total_students: int
    time_sent: datetime | None = None
    changes: tuple[str, ...] = field(default=())


def merge_offer(
    existing: PlacementOffer | None, new: PlacementOffer
) -> tuple[PlacementOffer, OfferEvent | None]:
    """Merge a newly extracted offer into the stored one for the same company key.

    New students and roles are added, packages only go up; a student first seen without an
    enrollment number and later with one is the same student. The event is None when nothing changed.
    """
    key = new.company_key
    if existing is None:
        base = replace(new, roles=(), students=(), number_of_offers=0, source_message_keys=())
    else:
        base = existing
    roles = list(base.roles)
    changes: list[str] = []
    upgraded_roles: list[OfferRole] = []
    for role in new.roles:
        position = next((i for i, r in enumerate(roles) if _role_key(r.role) == _role_key(role.role)), None)
        if position is None:
            roles.append(role)
            changes.append(f"role:{_role_key(role.role)}:{role.package}")
        else:
            old = roles[position]
            if role.package is not None and (old.package is None or role.package > old.package):
                roles[position] = OfferRole(
                    old.role, role.package, role.package_details or old.package_details
                )
                upgraded_roles.append(roles[position])
                changes.append(f"package:{_role_key(old.role)}:{role.package}")
    students = list(base.students)
    added: list[SelectedStudent] = []
    for student in new.students:
        position = _find_student(students, student)
        if position is None:
            students.append(student)
            added.append(student)
            changes.append(f"student:{student.key}")
        else:
            merged, upgraded = _merge_student(students[position], student)
            if upgraded:
                changes.append(f"student-package:{merged.key}:{merged.package}")
            students[position] = merged
    newer = new.time_sent is not None and (base.time_sent is None or new.time_sent >= base.time_sent)
    merged_offer = PlacementOffer(
        company=base.company if existing else new.company,
        roles=tuple(roles),
        students=tuple(students),
        number_of_offers=max(len(students), base.number_of_offers if existing else 0, new.number_of_offers),
        job_location=tuple(dict.fromkeys((*base.job_location, *new.job_location))),
        joining_date=new.joining_date or base.joining_date,
        email_subject=new.email_subject if newer or not base.email_subject else base.email_subject,
        time_sent=new.time_sent if newer else base.time_sent,
        source_message_keys=tuple(dict.fromkeys((*base.source_message_keys, *new.source_message_keys))),
    )
    if existing is not None and not changes:
        return merged_offer, None
    event_type: EventType = "new_offer" if existing is None else "updated_offer"
    digest = hashlib.sha256(
        f"{key}\n{event_type}\n".encode() + "\n".join(sorted(changes)).encode()
    ).hexdigest()
    event = OfferEvent(
        id=digest[:32],
        type=event_type,
        company=merged_offer.company,
        company_key=key,
        new_students=tuple(added),
        upgraded_roles=tuple(upgraded_roles),
        roles=merged_offer.roles,
        total_students=merged_offer.number_of_offers,
        time_sent=new.time_sent,
        changes=tuple(sorted(changes)),
    )
    return merged_offer, event
