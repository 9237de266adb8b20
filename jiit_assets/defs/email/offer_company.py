"""The company an offer mail is about, looked for everywhere a reader would look.

In order: a "Company:" label; the body's own sentences ("selected at X", "X has extended offers",
"result of / offers from X", "Greetings from X"); the subject's patterns ("X - Campus Hiring Results -
JIIT", "Final Offers from X", "Hiring outcome | X | JIIT"); the forwarded mail's sender name and its
domain; the signature ("Campus Relations | X"). A stop-list keeps words such as Pre, Placement,
Campus, Final and Result from ever being a company, and the college's own names and the big mail
providers are never taken for a recruiter. Every pattern is bounded; the text read is capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from jiit_assets.defs.email.offer_roles import section_heading
from jiit_assets.defs.email.offer_tables import table_blocks
from jiit_assets.defs.email.packages import has_amount
from jiit_assets.defs.email.privacy import clean_subject, unquote
from jiit_assets.lib.students import students_in_line
from jiit_assets.lib.text import company_key

MAX_COMPANY_SCAN = 20_000

_COMPANY_WORD = r"(?:[A-Z0-9][\w&'.\-]{0,40}|&|and|of|\([A-Z][\w.&' ]{0,40}\))"
_COMPANY = rf"[A-Z][\w&'.\-]{{0,40}}(?:[ \t]{{1,3}}{_COMPANY_WORD}){{0,5}}"
_BODY_PATTERNS = [
    re.compile(p)
    for p in (
        # an ATS or HR tool writing for the company: "automated notification … on behalf of Kellton Tech"
        rf"(?i:\bon\s+behalf\s+of\s+)(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        rf"(?:placed|selected|selections?|hired|recruited|offers?|offer\s+letters?|PPOs?|onboard(?:ed)?|joining|released|issued|extended|"
        rf"rolled\s+out)"
        rf"\s+(?:at|by|in|with|from)\s+(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        # "a six-month internship at CRED", "the SDE role at Atlassian"
        rf"(?i:\b(?:internship|job|role|position|profile|post))[ \t]{{1,3}}at[ \t]{{1,3}}(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        rf"(?P<company>{_COMPANY})[ \t]+(?:has|have)[ \t]+(?:extended|rolled[ \t]+out|made|released|issued|selected|"
        rf"confirmed|finali[sz]ed|announced|declared|shared|hired|recruited|onboarded|chosen|picked|offered)\b",
        # "Product Support Engineer at Freshworks, Chennai"
        r"(?i:\b(?:engineers?|analysts?|developers?|interns?|trainees?|consultants?|associates?|scientists?|designers?|"
        r"sde(?:-\d)?|managers?|executives?|programmers?|architects?|specialists?))[ \t]{1,3}at[ \t]{1,3}"
        rf"(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        # "will be joining Oracle", "the selection of the following students in Nagarro"
        rf"(?i:\bwill\s+be\s+joining\s+)(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        rf"(?i:\bselections?\s+of\s+(?:the\s+)?(?:following\s+|our\s+)?(?:\d{{1,3}}\s+)?(?:students|candidates)\s+"
        rf"(?:in|at|by|with|for)\s+)(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        r"(?i:\b(?:final\s+)?(?:results?|selects?|selections?|selection\s+list|offers?|ppos?|interviews?|drive|"
        r"recruitment\s+process)\s+(?:of|from|by)\s+)"
        rf"(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        rf"(?i:\bgreetings\s+from\s+)(?P<company>{_COMPANY})",
        # Hinglish puts the place after the name: "Deloitte USI mein final selection"
        rf"(?P<company>{_COMPANY})[ \t]{{1,3}}(?i:mein|me|main)[ \t]{{1,3}}(?i:final[ \t]{{1,3}})?(?i:selection|placement|select)",
        # "cleared all rounds of the EPAM Systems recruitment process"
        rf"(?i:\bthe\s+)(?P<company>{_COMPANY})[ \t]+(?i:recruitment|hiring|selection|campus|placement|interview)"
        rf"[ \t]+(?i:process|drive)\b",
    )
]
_SUBJECT_PATTERNS = [
    re.compile(p)
    for p in (
        r"(?i:\b(?:final\s+)?(?:results?|selects?|selections?|selection\s+list|offers?|ppos?)\s+(?:of|from|by)\s+)"
        rf"(?:M/s\.?\s+)?(?P<company>{_COMPANY})",
        rf"(?i:\b(?:at|by|in|with|from)\s+)(?P<company>{_COMPANY})",
        r"(?i:^(?:[\w ]{0,40}?(?:results?|selects?|selections?|offers?|placements?|update)\s{0,3}[:\-–|]\s{0,3}))"
        rf"(?P<company>{_COMPANY})",
    )
]
_SEPARATORS = re.compile(r"\s{1,3}[-–—|:]\s{1,3}|\s{0,3}[|:]\s{0,3}")
# Words that make a subject segment a description rather than a name.
_GENERIC_SEGMENT = re.compile(
    r"(?i)\b(?:campus|hiring|results?|final|outcome|selections?|selected|selects?|list|offers?|placements?|"
    r"jiit|jaypee|noida|batch|drive|program(?:me)?|recruitment|update|congratulations|confirmation|news|"
    r"interns?|internships?|summer|students?|20\d\d)\b"
)
# A segment naming a job ("Graduate Engineer Trainee") is the role, not the company.
_JOB_TITLE = re.compile(
    r"(?i)\b(?:engineers?|analysts?|developers?|trainees?|consultants?|associates?|scientists?|designers?|sde|"
    r"architects?|specialists?|programmers?|interns?)\b"
)
# A candidate starting with one of these is never a company ("Pre-Placement Offer", "Campus Team").
_NOT_COMPANY = re.compile(
    r"(?i)^(?:the|jiit|jaypee|campus|final|placement|placements|pre|result|results|congratulations|dear|students?|"
    r"following|our|this|training|noida|sector|offer|offers|selection|selected|hiring|team|summer|internship|"
    r"interns?|all|below|please|hi|hello|greetings|we|you|they|it|he|she|sir|madam|re|fwd?|fw|ctc|package|stipend|"
    r"salary|compensation|rs|inr|lpa|company|which|who|that|these|those|everyone|congrats|students|"
    r"proud|wonderful|exciting|awesome|fantastic|hearty|heartiest|news|important|urgent|attention|update|"
    r"announcement|notice|"
    # a day or a month is a date ("released by Friday", "joining in July"), never a company
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|january|february|march|april|"
    r"june|july|august|september|october|november|december)\b"
)
# A single word of praise left over from a subject ("Great news!", "Good news") is never a company.
_EXCLAMATION = re.compile(r"(?i)great|good|big|happy|amazing|kind|nice|super|best|cool|yay|hurray|wow")
_COMPANY_STOP = re.compile(
    r"(?i)\s+(?:and|of|for|as|the|with|in|on|at|to|&)$|[,;:]+$|\s+(?:for|as|with)\s.*$"
)
# Team words in a sender name or a signature line: what is left beside them is the company.
_TEAM_WORDS = re.compile(
    r"(?i)\b(?:campus|team|hiring|recruitment|recruiting|talent|acquisition|hr|human\s+resources|university|"
    r"relations|relationship|careers?|people|intern|interns|hiring|program|graduate|connect)\b"
)
_COLLEGE_WORDS = re.compile(
    r"(?i)\b(?:jiit|jaypee|t\s?&\s?p|tnp|placement|training|cell|office|institute\s+of)\b"
)
_FORWARDED_FROM = re.compile(
    r"(?im)^[ \t>*]{0,10}(?:From|प्रेषक):\*?[ \t]{0,5}(?P<name>[^<\n]{0,80}?)[ \t]{0,3}<?(?P<address>[\w.+-]{1,64}@(?P<domain>[\w.-]{1,120}))>?[ \t]*$"
)
_PERSONAL_DOMAINS = re.compile(
    r"(?i)(?:^|\.)(?:gmail|googlemail|yahoo|outlook|hotmail|live|icloud|me|rediffmail|proton(?:mail)?|aol|zoho|"
    r"googlegroups|jiit|jaypee)\.|\.(?:ac|edu)(?:\.|$)|\.edu$"
)
# Recruiting tools (applicant tracking, assessments, the placement portal) that send mail for a
# company: their domain names the tool, not the recruiter.
_TOOL_DOMAINS = re.compile(
    r"(?i)(?:^|\.)(?:freshteam|greenhouse|lever|myworkday|workday|zohorecruit|smartrecruiters|icims|taleo|"
    r"successfactors|darwinbox|hirepro|keka|superset|joinsuperset|recruitee|ashbyhq|jobvite|naukri|hackerearth|"
    r"hackerrank|mettl|amcat|cocubes|unstop|talview|hirist|instahyre|wellfound)\."
)
# The same tools named in a footer: "Powered by Freshteam", "automated notification from Zoho Recruit".
_TOOL_NAMED = re.compile(
    r"(?i)\b(?:powered\s+by|automated\s+(?:notification|e-?mail|message)\s+from|sent\s+(?:via|using|through)|"
    r"preferences\s+in)\s+(?P<tool>[A-Z][\w.\-]{1,30})"
)
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu"}
_CLOSING = re.compile(
    r"(?i)^\s{0,10}(?:thanks|thank\s+you|regards|best|cheers|sincerely|warm\s+regards|kind\s+regards|best\s+regards|thanks\s+(?:&|and)\s+regards)\b"
)


@dataclass(frozen=True)
class CompanyFound:
    name: str
    where: str  # "label", "body", "subject", "forwarded sender", "sender domain", "signature"


def clean_company(raw: str) -> str:
    company = raw.strip()[:200]
    # A sentence ends inside the capture ("internship at Uber. Stipend …"); "Pvt. Ltd." does not end one.
    company = re.sub(r"(?<!\bPvt)(?<!\bLtd)(?<!\bCo)(?<!\bInc)(?<!\bCorp)(?<!\bIntl)\.\s.*$", "", company)
    for _ in range(4):
        trimmed = _COMPANY_STOP.sub("", company).strip()
        if trimmed == company:
            break
        company = trimmed
    company = re.sub(r"(?i)\s+(?:for|as|with|on|is|has|have|after|to)\b.*$", "", company)
    # A Hinglish sentence opens with a pronoun: "Inke Deloitte mein selection ho gaya".
    company = re.sub(
        r"(?i)^(?:(?:inke|unke|hamare|humare|aapke|apne|sabhi|inka|unka|yeh|ye)\s+)+", "", company
    )
    # A trailing alias in parentheses is not part of the name: "Paytm (One97 Communications)".
    company = re.sub(r"(?:\s{0,3}\([^()]{0,80}\))+\s*$", "", company)
    if re.search(r"(?i)\b(?:ltd|pvt|inc|co)\.$", company):
        return company.strip(" ,:;-–|")
    return company.strip(" ,:;-–|!").rstrip(".")


def _acceptable(company: str) -> bool:
    """A name that is not a stop word and not the college's own office ("T&P Cell", "Placement Office")."""
    return (
        len(company) >= 2
        and not _NOT_COMPANY.match(company)
        and not has_amount(company)
        and not _EXCLAMATION.fullmatch(company)
        and not re.search(r"_|\d{3,}", company)  # a job or requisition id ("ZR_1187_JOB")
        and not _COLLEGE_WORDS.search(company)
        and bool(company_key(company))
    )


def _from_subject_segments(subject: str) -> str | None:
    """ "Cvent - Campus Hiring Results - JIIT" -> "Cvent": the one segment that is not a description."""
    for segment in _SEPARATORS.split(subject):
        segment = segment.strip()
        if (
            not segment
            or _GENERIC_SEGMENT.search(segment)
            or _JOB_TITLE.search(segment)
            or len(segment.split()) > 5
        ):
            continue
        if segment[:1].isupper() and _acceptable(clean_company(segment)):
            return clean_company(segment)
    return None


def _from_subject_remainder(subject: str) -> str | None:
    """ "Congratulations!!! EPAM Systems results" -> "EPAM Systems": what is left of a subject once its
    descriptive words and punctuation are gone, when that is one capitalised name."""
    rest = _GENERIC_SEGMENT.sub(" ", subject[:300])
    # A word closed by "!" is an exclamation ("Wonderful!! Acme results"): the name is after the last one.
    pieces = [piece for piece in re.split(r"[!?]+", rest) if piece.strip()]
    rest = pieces[-1] if pieces else ""
    rest = re.sub(r"(?i)\b(?:for|of|the|in|at|by|from|and|to|a|an|with|our|all|dear)\b|[:|–—\-]+", " ", rest)
    words = rest.split()
    # In a subject typed all in lower case ("hcltech selects") a name cannot be told by its capital.
    lowercase = not re.search(r"[A-Z]", subject)
    if not 1 <= len(words) <= 4 or not all(
        lowercase or word[:1].isupper() or word[:1].isdigit() for word in words
    ):
        return None
    company = clean_company(" ".join(words))
    return company if _acceptable(company) and not _JOB_TITLE.search(company) else None


def _name_from_domain(domain: str) -> str | None:
    if _PERSONAL_DOMAINS.search(f".{domain.lower()}.") or _TOOL_DOMAINS.search(f".{domain.lower()}."):
        return None
    labels = [label for label in domain.lower().split(".") if label]
    while len(labels) > 1 and (labels[-1] in _SECOND_LEVEL or len(labels[-1]) <= 3):
        labels.pop()  # ".com", ".co.in", ".in"
    name = labels[-1] if labels else ""
    return name.capitalize() if len(name) >= 3 and name.isalpha() else None


def forwarded_sender_company(text: str) -> tuple[str | None, str | None]:
    """(company from the forwarded sender's name, company from its domain) of the first forwarded
    header whose address is not a personal or college one."""
    for match in _FORWARDED_FROM.finditer(unquote(text[:MAX_COMPANY_SCAN])):
        from_domain = _name_from_domain(match.group("domain"))
        if from_domain is None:
            continue
        name = match.group("name").strip(" \"'")
        from_name = None
        if _TEAM_WORDS.search(name) and not _COLLEGE_WORDS.search(name):
            rest = clean_company(_TEAM_WORDS.sub(" ", name).replace(",", " ").replace("|", " "))
            rest = " ".join(rest.split())
            from_name = rest if rest and _acceptable(rest) else None
        return from_name, from_domain
    return None, None


def _from_signature(body: str) -> str | None:
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if not _CLOSING.match(line):
            continue
        for candidate in lines[index + 1 : index + 5]:
            if _COLLEGE_WORDS.search(candidate) or not _TEAM_WORDS.search(candidate):
                continue
            for part in re.split(r"\s{0,3}[|,]\s{0,3}", candidate):
                if part and not _TEAM_WORDS.search(part) and _acceptable(clean_company(part)):
                    return clean_company(part)
            rest = " ".join(_TEAM_WORDS.sub(" ", candidate).split())
            if rest and _acceptable(clean_company(rest)):
                return clean_company(rest)
    return None


def company_domain(domain: str | None) -> str | None:
    """The company a sender's domain names ("campus.hiring@publicissapient.com" -> "Publicissapient"),
    or None for mail providers and colleges."""
    return _name_from_domain(domain) if domain else None


# A lower-case brand opening a sentence ("hcltech has selected 3 of our students"), and in a mail typed
# all in lower case also after "placed at" / "offers from".
_LOWERCASE_BODY = [
    re.compile(p)
    for p in (
        r"(?m)(?:^|[.!]\s{1,3})(?P<company>[a-z][\w&.\-]{1,30})[ \t]+(?:has|have)[ \t]+(?:selected|extended|"
        r"rolled[ \t]+out|made|released|issued|confirmed|finali[sz]ed|announced|declared|hired|picked)\b",
        r"\b(?:placed|selected|hired|offers?|internship|role)[ \t]+(?:at|by|from|with)[ \t]+(?P<company>[a-z][\w&.\-]{1,30})",
    )
]
# Words that open such a sentence without being a name.
_LOWERCASE_STOP = re.compile(
    r"^(?:we|they|you|it|he|she|who|which|that|this|these|those|everyone|all|many|some|most|each|both|"
    r"students?|candidates?|companies|company|recruiters?|firms?|the|a|an|our|their|your|various|several|"
    r"multiple|different|top|leading|reputed|jiit|jaypee|us|them)$"
)


def _lowercase_names(body: str) -> list[str]:
    lowercase_mail = not re.search(r"[A-Z]", body[:MAX_COMPANY_SCAN])
    patterns = _LOWERCASE_BODY if lowercase_mail else _LOWERCASE_BODY[:1]
    found = [m.group("company").rstrip(".") for p in patterns for m in p.finditer(body)]
    return [name for name in found if not _LOWERCASE_STOP.match(name)]


def _from_section_headings(body: str) -> str | None:
    """The company of a heading above a list of students: "EPAM Systems - Junior Software Engineer -
    8 LPA" followed by "Ritika Sood (22103540)" (a weekly digest of results)."""
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    for line, below in pairwise(lines):
        parts = section_heading(line)
        if parts and any(student.enrollment for student in students_in_line(below)):
            return parts[0]
    return None


def _from_table(body: str) -> list[str]:
    """The cells of a results table's "Company" column, first row first."""
    return [
        row[columns["company"]]
        for columns, rows in table_blocks(body)
        if "company" in columns
        for row in rows
        if columns["company"] < len(row) and row[columns["company"]].strip()
    ]


def _initials(name: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z][\w&'\-]*", name) if word[0].isupper())


def _expanded(chosen: str, others: list[str]) -> str:
    """A short form ("TI", "JTG") gives way to the full name the same mail spells out elsewhere
    ("Texas Instruments" in the subject or the signature)."""
    if not re.fullmatch(r"[A-Z]{2,5}", chosen):
        return chosen
    return next(
        (other for other in others if len(other.split()) >= 2 and _initials(other).startswith(chosen)), chosen
    )


# Words a company adds to its brand in a legal or regional name ("Ericsson Global India").
_DESCRIPTOR = re.compile(
    r"(?i)^(?:global|india|indian|technologies|technology|tech|solutions|services|software|systems|labs|pvt\.?|"
    r"private|ltd\.?|limited|inc\.?|corp\.?|corporation|group|consulting|international|\(india\)|llp|co\.?)$"
)


def _brand(chosen: str, others: list[str]) -> str:
    """The shorter name the subject agrees on, when the longer one only adds descriptor words and would
    otherwise be matched as a different company: "Ericsson Global India" in the body and "Ericsson" in
    the subject give "Ericsson" (the brand the office titles the mail with)."""
    words = chosen.split()
    for other in others:
        short = other.split()
        extra = words[len(short) :]
        if (
            0 < len(short) < len(words)
            and words[: len(short)] == short
            and all(_DESCRIPTOR.match(word) for word in extra)
            and company_key(other) != company_key(chosen)
        ):
            return other
    return chosen


def _candidates(
    subject: str, body: str, raw_text: str, labelled: list[str], sender_domain: str | None
) -> list[tuple[str, str]]:
    """Every (name, where) a reader would consider, strongest first."""
    candidates: list[tuple[str, str]] = [(value, "label") for value in labelled]
    candidates.extend((value, "table") for value in _from_table(body)[:3])
    for pattern in _BODY_PATTERNS:
        candidates.extend((m.group("company"), "body") for m in pattern.finditer(body))
    for pattern in _SUBJECT_PATTERNS:
        candidates.extend((m.group("company"), "subject") for m in pattern.finditer(subject))
    candidates.append((_from_subject_segments(subject) or "", "subject"))
    from_name, from_domain = forwarded_sender_company(raw_text)
    candidates.append((from_name or "", "forwarded sender"))
    candidates.append((_from_signature(body) or "", "signature"))
    candidates.extend((name, "body") for name in _lowercase_names(body))
    for domain in (from_domain, company_domain(sender_domain)):
        candidates.append((domain or "", "sender domain"))
    candidates.append((_from_section_headings(body) or "", "heading above the list"))
    # Last: a leftover subject word may be a programme's name ("EDG"), weaker than a sender's domain.
    candidates.append((_from_subject_remainder(subject) or "", "subject"))
    return [(raw, where) for raw, where in candidates if raw]


def find_company(
    subject: str, body: str, raw_text: str, labelled: list[str], *, sender_domain: str | None = None
) -> CompanyFound | None:
    """The company, and where it was found; ``body`` is the private-stripped text, ``raw_text`` the
    decoded text that still has the forwarded header blocks, ``sender_domain`` the mail's own From domain."""
    body = body[:MAX_COMPANY_SCAN]
    subject = clean_subject(subject)
    tools = {
        company_key(m.group("tool")).split(" ")[0] for m in _TOOL_NAMED.finditer(raw_text[:MAX_COMPANY_SCAN])
    }
    accepted = [
        (company, where)
        for raw, where in _candidates(subject, body, raw_text, labelled, sender_domain)
        if _acceptable(company := clean_company(raw)) and company_key(company).split(" ")[0] not in tools
    ]
    if not accepted:
        return None
    company, where = accepted[0]
    company = _expanded(company, [name for name, _ in accepted[1:]])
    company = _brand(company, [name for name, found_in in accepted[1:] if found_in == "subject"])
    # A name typed all in lower case is shown with a capital ("hcltech" -> "Hcltech").
    return CompanyFound(company[:1].upper() + company[1:] if company.islower() else company, where)
