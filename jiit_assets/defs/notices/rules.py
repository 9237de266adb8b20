"""Deterministic rules for SuperSet notices: type, shortlisted students, company and job link.

These rules need no network and give the same answer every time, so a notice can be re-processed
without changing what students were told. Everything here is a pure function over the portal's JSON
and the stored jobs: no I/O, no Dagster. The type follows the rules shared with e-mail
(``notice_types``, written out in the README) and the students come from the shared parser
(``students``); this module names the company and links the job.

Keywords always match on word boundaries ("talk" is not in "talking", "ppt" not in "apptitude").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jiit_assets.defs.notices.jobs import JobSummary as JobSummary
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets.lib.notice_types import TypeDecision, notice_type
from jiit_assets.lib.ranges import checked_datetime
from jiit_assets.lib.student_lists import parse_body
from jiit_assets.lib.text import company_key, format_ist, from_epoch_ms

DEFAULT_JOB_URL_BASE = "https://jiit-placement-updates.tashif.codes/jobs/"

# Longest title or company name we accept; portal titles are short, anything longer is noise.
_MAX_TITLE = 300
_MAX_COMPANY_WORDS = 7


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# fmt: off
_MONTHS_AND_DAYS = (
    r"jan(?:uary)?", r"feb(?:ruary)?", r"mar(?:ch)?", r"apr(?:il)?", r"may", r"june?", r"july?",
    r"aug(?:ust)?", r"sep(?:t|tember)?", r"oct(?:ober)?", r"nov(?:ember)?", r"dec(?:ember)?", r"monday",
    r"tuesday", r"wednesday", r"thursday", r"friday", r"saturday", r"sunday", r"today", r"tomorrow",
)

# Words that make a title segment a description rather than a company name.
_GENERIC = _words(
    *_MONTHS_AND_DAYS, r"short[- ]?list(?:ed|ing|s)?", r"online", r"test", r"assessment", r"interview",
    r"interviews", r"rounds?", r"results?", r"open for applications?", r"job profiles?", r"updates?",
    r"notice", r"announcement", r"webinar", r"seminar", r"hackathon", r"reminder", r"deadline",
    r"registration", r"register", r"students?", r"candidates?", r"selected", r"final", r"placement",
    r"placements", r"drive", r"schedule", r"rescheduled", r"postponed", r"venue", r"important", r"urgent",
    r"batch", r"session", r"talk", r"ppt", r"gd", r"group discussion", r"internship", r"hiring",
    r"recruitment", r"policy", r"list", r"process", r"coding", r"technical", r"hr", r"virtual", r"offline",
    r"pre[- ]placement", r"attention", r"all", r"reg", r"regarding", r"info", r"information", r"details",
    r"opportunity", r"workshop",
)
# fmt: on
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|:]\s+|:\s+|\s*\|\s*")
_POSSESSIVE_JOB = re.compile(r"^(?P<company>.+?)(?:['’]s?)?\s+job profile\b", re.IGNORECASE)
_OPEN_FOR = re.compile(
    r"open for applications?\s*[-–—:|]\s*(?P<company>.+?)(?:['’]s?)?\s+job profile(?:\s*[-–—:|]\s*(?P<role>.+))?$",
    re.IGNORECASE,
)
_FOR_COMPANY = re.compile(
    r"(?i:\b(?:short[- ]?list(?:ed)?|selected|results?|final selects?)\b.*?\b(?:for|of|at|in|by)\s+(?:the\s+)?)"
    r"(?P<company>[A-Z0-9][\w&.,'’ ]{1,60}?)\s*(?:[-–—|:(]|$)",
)
_LABELLED_COMPANY = re.compile(
    r"^\s*(?:company|company name|organi[sz]ation|recruiter)\s*[:\-–]\s*(?P<company>[^\n]{2,80})$",
    re.IGNORECASE | re.MULTILINE,
)
_LABELLED_ROLE = re.compile(
    r"^\s*(?:role|profile|job profile|designation|position)\s*[:\-–]\s*(?P<role>[^\n]{2,80})$",
    re.IGNORECASE | re.MULTILINE,
)
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_TOKEN = re.compile(r"[\w&]+", re.UNICODE)


# ---------------------------------------------------------------------------------------------
# Type
# ---------------------------------------------------------------------------------------------


def classify_notice(
    title: str, text: str, students: Sequence[Student] = (), company: str | None = None
) -> NoticeType:
    """The notice type by the rules shared with e-mail (``notice_types``)."""
    return classify_portal_notice(title, text, students, company).type


def classify_portal_notice(
    title: str, text: str, students: Sequence[Student] = (), company: str | None = None
) -> TypeDecision:
    """The notice type and the rule that decided it."""
    return notice_type(title, text, source="portal", students=len(students), company=company)


# ---------------------------------------------------------------------------------------------
# Company and job
# ---------------------------------------------------------------------------------------------


def _tidy_company(name: str) -> str | None:
    name = normalize_space(name).replace("\n", " ").strip(" ,;:-–—|'’\"")
    if not name or len(name.split()) > _MAX_COMPANY_WORDS or not company_key(name):
        return None
    if not re.search(r"[^\W\d_]", name):
        return None
    return name


def extract_company_and_role(title: str, text: str = "") -> tuple[str | None, str | None]:
    """Company and role as the notice names them (before any job is linked); None when not named."""
    title = normalize_space(title).replace("\n", " ")
    role: str | None = None
    match = _OPEN_FOR.search(title)
    if match:
        role = (match.group("role") or "").strip() or None
        return _tidy_company(match.group("company")), role
    labelled_role = _LABELLED_ROLE.search(text[:3000])
    if labelled_role:
        role = labelled_role.group("role").strip()
    labelled = _LABELLED_COMPANY.search(text[:3000])
    if labelled:
        return _tidy_company(labelled.group("company")), role
    segments = [segment for segment in _TITLE_SEPARATORS.split(title) if segment.strip()]
    for segment in segments:
        possessive = _POSSESSIVE_JOB.match(segment.strip())
        if possessive:
            return _tidy_company(possessive.group("company")), role
    if len(segments) >= 2 and any(_GENERIC.search(segment) for segment in segments):
        candidates = [segment for segment in segments if not _GENERIC.search(segment)]
        if len(candidates) == 1:
            return _tidy_company(candidates[0]), role
    match = _FOR_COMPANY.search(title)
    if match:
        words = match.group("company").split()
        while words and _GENERIC.fullmatch(words[-1].strip(".,")):
            words.pop()
        candidate = " ".join(words)
        if candidate and not _GENERIC.search(candidate):
            return _tidy_company(candidate), role
    return None, role


def _phrases(text: str) -> list[list[str]]:
    """Runs of words that could be a company name: words separated only by spaces or "&"."""
    text = _POSSESSIVE.sub("", text)
    runs: list[list[str]] = []
    for part in re.split(r"[\n,;:!?()\[\]|/\"]+|\s[-–—]+\s", text):
        tokens = _TOKEN.findall(part)
        if tokens:
            runs.append(tokens)
    return runs


def candidate_company_keys(title: str, text: str = "", max_words: int = 6) -> set[str]:
    """Every company key the notice could be about, for loading candidate jobs in one query.

    Built from word windows of the title and of the body's capitalised phrases, so a job whose
    company is mentioned anywhere prominent can be found without knowing the job list first.
    """
    keys: set[str] = set()
    company, _ = extract_company_and_role(title, text)
    if company:
        keys.add(company_key(company))
    sources = [tokens for tokens in _phrases(title[:_MAX_TITLE])]
    for tokens in _phrases(text[:4000]):
        run: list[str] = []
        for token in [*tokens, ""]:
            connector = token in ("&", "and", "of") and bool(run)
            if token and (token[:1].isupper() or token[:1].isdigit() or connector):
                run.append(token)
            else:
                if run:
                    sources.append(run)
                run = []
    for tokens in sources:
        for start in range(len(tokens)):
            for end in range(start + 1, min(len(tokens), start + max_words) + 1):
                key = company_key(" ".join(tokens[start:end]))
                if len(key) >= 2:
                    keys.add(key)
    return keys


def _key_in(key: str, haystack_tokens: str) -> bool:
    return bool(key) and f" {key} " in haystack_tokens


def _key_text(text: str) -> str:
    """Text normalised like company keys (lower case, "&" -> "and", single spaces), padded with spaces."""
    words = [
        word
        for word in re.split(r"[^a-z0-9]+", _POSSESSIVE.sub("", text.lower()).replace("&", " and "))
        if word
    ]
    return " " + " ".join(words) + " "


def _role_score(job: JobSummary, title_keys: str, text_keys: str) -> int:
    role = _key_text(job.job_profile).strip()
    if not role:
        return 0
    if _key_in(role, title_keys):
        return 100 + len(role)
    if _key_in(role, text_keys):
        return 50 + len(role)
    role_words = set(role.split()) - {"and", "of", "the", "for", "in", "a"}
    overlap = sum(1 for word in role_words if _key_in(word, title_keys)) * 3
    overlap += sum(1 for word in role_words if _key_in(word, text_keys))
    return overlap


def link_job(
    title: str, text: str, jobs: Sequence[JobSummary], company_hint: str | None = None
) -> JobSummary | None:
    """The job a notice is about: its company key in the title (or the body), role breaking ties.

    Among a company's several profiles the one whose role is named wins; when nothing tells them
    apart, the most recently created profile (the drive most likely in progress).
    """
    if not jobs:
        return None
    # Only companies the notice names (the same keys the asset loads jobs by), so linking gives the
    # same answer whether it sees every job or just the candidates.
    candidates = candidate_company_keys(title, text)
    if company_hint:
        candidates.add(company_key(company_hint))
    jobs = [job for job in jobs if job.company_key in candidates]
    if not jobs:
        return None
    title_keys = _key_text(title)
    text_keys = _key_text(text[:4000])
    hint_key = company_key(company_hint) if company_hint else ""
    by_company: dict[str, int] = {}
    for job in jobs:
        key = job.company_key
        if not key or key in by_company:
            continue
        if hint_key and key == hint_key:
            score = 3000 + len(key)
        elif _key_in(key, title_keys):
            score = 2000 + len(key)
        elif len(key) >= 3 and _key_in(key, text_keys):
            score = 1000 + len(key)
        else:
            continue
        by_company[key] = score
    if not by_company:
        return None
    best_key = max(by_company, key=lambda key: (by_company[key], key))
    if by_company[best_key] < 2000 and len(by_company) > 1:
        return None  # several companies named only in the body (a calendar, a policy): no one job
    profiles = [job for job in jobs if job.company_key == best_key]
    return max(
        profiles,
        key=lambda job: (
            _role_score(job, title_keys, text_keys),
            _key_in(
                _key_text(job.company).strip(), title_keys + text_keys
            ),  # spelled as the notice spells it
            job.created_at_ms,
            job.id,
        ),
    )


# ---------------------------------------------------------------------------------------------
# NoticeContent
# ---------------------------------------------------------------------------------------------


def _aware_utc(value: Any) -> datetime | None:
    """A stored date or epoch value, None when missing or outside the plausible window."""
    if isinstance(value, datetime):
        return checked_datetime(value)
    return from_epoch_ms(value)


def _text_field(raw: Mapping[str, Any], name: str, default: str = "") -> str:
    value = raw.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} should be a string, got {type(value).__name__}")
    return value


def superset_company_keys(raw: Mapping[str, Any]) -> set[str]:
    """Company keys a raw portal notice could be about: load jobs ``{"company_key": {"$in": keys}}``."""
    title = raw.get("title") if isinstance(raw.get("title"), str) else ""
    content = raw.get("content") if isinstance(raw.get("content"), str) else ""
    title = normalize_space(str(title)).replace("\n", " ")[:_MAX_TITLE]
    return candidate_company_keys(title, parse_body(str(content)).text)


def superset_notice_content(
    raw: Mapping[str, Any], jobs: Sequence[JobSummary], job_url_base: str = DEFAULT_JOB_URL_BASE
) -> NoticeContent:
    """A raw portal notice (as stored in ``raw_superset_notices``) as a source-independent NoticeContent.

    Raises ValueError when the document is not a portal notice (no identifier, wrong field types).
    """
    return _decide(raw, jobs, job_url_base)[0]


def superset_notice_reasons(raw: Mapping[str, Any], jobs: Sequence[JobSummary]) -> list[str]:
    """Why ``superset_notice_content`` decides what it does: the type rule, the students, the company and job."""
    content, decided = _decide(raw, jobs, DEFAULT_JOB_URL_BASE)
    reasons = [f"type {content.type}: {decided.reason}"]
    if content.students:
        reasons.append(f"students: {len(content.students)} read from the notice's tables and lines")
    if content.job_id:
        reasons.append(
            f"job {content.job_id}: the stored job of {content.company} that the notice names best"
        )
    elif content.company:
        reasons.append(f"company {content.company}: named in the notice; no stored job matched")
    else:
        reasons.append("no company: the notice names none, or names an event or a topic")
    return reasons


def _facts(
    company: str | None, role: str | None, job: JobSummary | None, kind: NoticeType
) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if company:
        facts.append(("Company", company))
    if role:
        facts.append(("Role", role))
    if job is not None:
        package = job.package_text
        if package and kind in (NoticeType.JOB_POSTING, NoticeType.SHORTLISTING, NoticeType.UPDATE):
            facts.append(package)
        if job.location:
            facts.append(("Location", job.location))
        if job.deadline and kind in (NoticeType.JOB_POSTING, NoticeType.UPDATE):
            facts.append(("Deadline", format_ist(job.deadline)))
        if job.hiring_flow and kind in (NoticeType.JOB_POSTING, NoticeType.SHORTLISTING):
            facts.append(("Hiring Process", " → ".join(job.hiring_flow)))
    return facts


def _decide(
    raw: Mapping[str, Any], jobs: Sequence[JobSummary], job_url_base: str
) -> tuple[NoticeContent, TypeDecision]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"a notice must be a JSON object, got {type(raw).__name__}")
    identifier = raw.get("identifier", raw.get("_id"))
    if not isinstance(identifier, str | int) or isinstance(identifier, bool) or not str(identifier).strip():
        raise ValueError("notice has no 'identifier'")
    title = normalize_space(_text_field(raw, "title", "Notice")).replace("\n", " ")[:_MAX_TITLE] or "Notice"
    body = parse_body(_text_field(raw, "content"))
    named_company, named_role = extract_company_and_role(title, body.text)
    job = link_job(title, body.text, jobs, company_hint=named_company)
    company = job.company if job else named_company
    decided = classify_portal_notice(title, body.text, body.students, company)
    if job is None and decided.type in (NoticeType.HACKATHON, NoticeType.ANNOUNCEMENT):
        # What such a title names is an event or a topic, not a recruiter.
        company = None
    if decided.type in (NoticeType.HACKATHON, NoticeType.WEBINAR, NoticeType.ANNOUNCEMENT):
        # A talk or a contest by a recruiter is not about one of its job profiles: name the company,
        # but do not show a role, a package or a job link that the notice never mentioned.
        job = None
        named_role = None
    role = (job.job_profile or None) if job else named_role
    author = raw.get("lastModifiedByUserName")
    content = NoticeContent(
        source="superset",
        source_id=str(identifier).strip(),
        type=decided.type,
        title=title,
        text=body.text,
        facts=tuple(_facts(company, role, job, decided.type)),
        students=body.students,
        company=company,
        role=role,
        job_id=job.id if job else None,
        package_lpa=job.package_lpa if job else None,
        deadline=job.deadline if job else None,
        author=normalize_space(author) if isinstance(author, str) and author.strip() else None,
        published_at=_aware_utc(raw.get("published_at")) or _aware_utc(raw.get("publishedAt")),
        url=f"{job_url_base}{job.id}" if job and job.id else None,
    )
    return content, decided
