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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jiit_assets.defs.notices.company import extract_company_and_role, resolve_company
from jiit_assets.defs.notices.jobs import JobSummary as JobSummary
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets.lib.notice_types import TypeDecision, notice_type
from jiit_assets.lib.ranges import checked_datetime
from jiit_assets.lib.student_lists import ParsedBody, parse_body
from jiit_assets.lib.text import company_key, format_ist, from_epoch_ms

DEFAULT_JOB_URL_BASE = "https://jiit-placement-updates.tashif.codes/jobs/"

# Longest title we accept; portal titles are short, anything longer is noise.
_MAX_TITLE = 300
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
    content, decided, company_source = _decide(raw, jobs, DEFAULT_JOB_URL_BASE)
    reasons = [f"type {content.type}: {decided.reason}"]
    if content.students:
        reasons.append(f"students: {len(content.students)} read from the notice's tables and lines")
    if content.job_id:
        reasons.append(f"job {content.job_id}: {company_source}")
    elif content.company:
        reasons.append(f"company {content.company}: from {company_source}; no stored job matched")
    else:
        reasons.append(f"no company: {company_source}")
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


@dataclass(frozen=True)
class _Company:
    name: str | None
    role: str | None
    job: JobSummary | None
    type: TypeDecision
    source: str  # where the name came from, for ``inspect superset-notice``


def _company(title: str, body: ParsedBody, jobs: Sequence[JobSummary]) -> _Company:
    """The company, role and job of a notice, and its type (which depends on whether a company is named)."""
    found = resolve_company(title, body.text)
    job = link_job(title, body.text, jobs, company_hint=found.company)
    company = job.company if job else found.company
    source = f"the stored job of {company} that the notice names best" if job else found.source
    decided = classify_portal_notice(title, body.text, body.students, company)
    role = found.role
    # the body shows the company recruiting ("students selected in Cognizant") and the title names it
    named_in_title = (
        found.source.startswith("the body's") and f" {company_key(company)} " in f" {company_key(title)} "
    )
    if job is None and decided.type == NoticeType.ANNOUNCEMENT and named_in_title:
        # "Cognizant offer letters": an announcement about one recruiter's students names it in its title
        source = f"{source}, named in the announcement's title"
    elif job is None and decided.type in (NoticeType.ANNOUNCEMENT, NoticeType.INTERNSHIP_NOC):
        # A rule for everyone, or a student's own off-campus internship: no recruiter of ours.
        company, source = None, f"a {decided.type} names no recruiter unless a stored job matches"
    elif job is None and decided.type in (NoticeType.HACKATHON, NoticeType.WEBINAR):
        organiser = resolve_company(title, body.text, event=True)
        company, source = organiser.company, organiser.source
    if decided.type in (NoticeType.HACKATHON, NoticeType.WEBINAR, NoticeType.ANNOUNCEMENT):
        # A talk or a contest by a recruiter is not about one of its job profiles: name the company,
        # but do not show a role, a package or a job link that the notice never mentioned.
        job = None
        role = None
    role = (job.job_profile or None) if job else role
    return _Company(company, role, job, decided, source)


def _decide(
    raw: Mapping[str, Any], jobs: Sequence[JobSummary], job_url_base: str
) -> tuple[NoticeContent, TypeDecision, str]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"a notice must be a JSON object, got {type(raw).__name__}")
    identifier = raw.get("identifier", raw.get("_id"))
    if not isinstance(identifier, str | int) or isinstance(identifier, bool) or not str(identifier).strip():
        raise ValueError("notice has no 'identifier'")
    title = normalize_space(_text_field(raw, "title", "Notice")).replace("\n", " ")[:_MAX_TITLE] or "Notice"
    body = parse_body(_text_field(raw, "content"))
    decided = _company(title, body, jobs)
    job, company, role = decided.job, decided.name, decided.role
    author = raw.get("lastModifiedByUserName")
    content = NoticeContent(
        source="superset",
        source_id=str(identifier).strip(),
        type=decided.type.type,
        title=title,
        text=body.text,
        facts=tuple(_facts(company, role, job, decided.type.type)),
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
    return content, decided.type, decided.source
