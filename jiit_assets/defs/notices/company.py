"""Which company a portal notice is about, read the way a student would read it; plain, no Dagster.

A wrong name is worse than none: it is shown to students as a fact and used to mute companies. So
a name is taken only from places that say it is the recruiter, in this order:

1. the portal's own formats ("Open for applications - X's Job Profile - Role", "X's job profile")
   and a ``Company:`` line in the body;
2. a title that says "X is hiring";
3. a title segment that is nothing but a name once the words for the notice's kind, stage and
   logistics (OA, GD, result, interview schedule, venue changed, reporting time, Day 2 ...), dates
   and a trailing role title ("SDE Intern", "Product Analyst") are set aside. A segment with other
   ordinary words in it is a sentence ("Collect your offer letters"), not a name. A segment that
   is only a role ("Analyst", "Associate Product Manager") is the role of "Role, Company";
4. when the title names nobody: one company that the body names as the recruiter ("the Oracle
   drive", "Tata Steel GD", "drive of X", "X will visit", "by X") and no other.

Events (talks, contests) are different: their titles name products, platforms and speakers'
employers ("LinkedIn profile workshop", "Fireside chat with ... (Amazon)"), so a name from the
title counts only when the body shows that company running the event ("by Myntra", "Intuit will
hold", "Flipkart's engineering challenge").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiit_assets.defs.notices.company_words import (
    HONORIFICS,
    KIND_WORDS,
    MONTHS,
    NEVER_COMPANY,
    ONLY_IN_A_NAME,
    ROLE_HEADS,
    ROLE_MODIFIERS,
    without_programme_codes,
)
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.text import company_key

_MAX_COMPANY_WORDS = 7


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# fmt: off
# A name holding one of these is an event's or a programme's name, not a company's.
_EVENT_NAME = _words(r"hackathon", r"contest", r"challenge", r"webinar", r"workshop",
                     r"bootcamp", r"championship", r"olympiad", r"fest")
_ALUMNI = _words(r"alumni", r"alumnus", r"seniors?", r"mentors?", r"mentorship")
# fmt: on

_DATES = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:"
    + "|".join(MONTHS)
    + r")\b|\b(?:day|round|season|slot|batch)\s+\d+\b|\b\d+(?:\.\d+)*\b",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = re.compile(r"\s+[-–—]+\s+|[|:,()\[\]/]|\s[-–—]|[-–—]\s")
_IS_HIRING = re.compile(r"^(?P<company>.+?)\s+is\s+hiring\b", re.IGNORECASE)
_POSSESSIVE_JOB = re.compile(r"^(?P<company>.+?)(?:['’]s?)?\s+job profile\b", re.IGNORECASE)
_OPEN_FOR = re.compile(
    r"open for applications?\s*[-–—:|]\s*(?P<company>.+?)(?:['’]s?)?\s+job profile(?:\s*[-–—:|]\s*(?P<role>.+))?$",
    re.IGNORECASE,
)
_LABELLED_COMPANY = re.compile(
    r"^\s*(?:company|company name|organi[sz]ation|recruiter)\s*[:\-–]\s*(?P<company>[^\n]{2,80})$",
    re.IGNORECASE | re.MULTILINE,
)
_LABELLED_ROLE = re.compile(
    r"^\s*(?:role|profile|job profile|designation|position)\s*[:\-–]\s*(?P<role>[^\n]{2,80})$",
    re.IGNORECASE | re.MULTILINE,
)

# A run of capitalised words in running text: "Procter & Gamble", "Mercedes-Benz R&D", "Acme Pvt. Ltd."
# Possessive quantifiers and a start only where a word starts keep a 10,000-character word linear.
_TOKEN = r"(?<![\w&.\-])[A-Z0-9][\w&\-]*+(?:\.[\w&\-]++)*+(?:(?<=Pvt|Ltd|Inc)\.)?"
_NAME = rf"(?P<company>{_TOKEN}(?:[ \t]+(?:&[ \t]+)?{_TOKEN}){{0,6}})"
_STAGE = (
    r"drive|gd|group discussion|interviews?|online test|written test|aptitude test|test|assessment|oa"
    r"|ppt|pre-placement talk|campus visit|results|hiring process|technical interview|registrations?"
)
# Places in a body that name the company running a drive or an event.
_ORGANISER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("'X is hiring / visiting / invites ...'", re.compile(
        _NAME + r"\s+(?i:is hiring|is visiting|is conducting|is hosting|invites|presents"
        r"|will (?:visit|hold|conduct|address|talk|host|organi[sz]e|be visiting))\b")),
    ("'X's ...'", re.compile(_NAME + r"['’]s\s+[a-z]")),
    ("'by X'", re.compile(r"\b(?i:by)\s+" + _NAME)),
    ("'opportunities at X'", re.compile(
        r"\b(?i:opportunit(?:y|ies)|careers?|jobs?|roles?|internships?|interviews?)\s+(?i:at|with)\s+" + _NAME)),
)  # fmt: skip
_STAGE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("'X drive / X GD / X interviews'", re.compile(_NAME + r"\s+(?i:" + _STAGE + r")\b")),
    ("'drive of X / interviews with X'", re.compile(
        r"\b(?i:" + _STAGE + r"|round|process|discussion|selections?|talk|register|apply)\s+"
        r"(?i:of|for|with|at)\s+(?:the\s+)?" + _NAME)),
    ("'selected in / placed at X'", re.compile(
        r"\b(?i:selected|placed|hired|recruited)\s+(?i:in|at|by|with)\s+(?:M/s\.?\s+)?" + _NAME)),
)  # fmt: skip
_RUN = re.compile(_NAME)


@dataclass(frozen=True)
class CompanyFinding:
    """The company a notice names (None when it names none for sure), its role, and where it was read."""

    company: str | None
    role: str | None
    source: str


def _tidy(name: str) -> str | None:
    name = normalize_space(name).replace("\n", " ").strip(" ,;:-–—|'’\"")
    if not name or len(name.split()) > _MAX_COMPANY_WORDS or not company_key(name):
        return None
    if not re.search(r"[^\W\d_]", name):
        return None
    return name


def _bare(token: str) -> str:
    return token.strip(".,;:!?'’\"()[]").lower()


def _trim_name(tokens: list[str]) -> list[str]:
    """A name without leading or trailing words that are never part of one ("The", "Students")."""
    while tokens and (_bare(tokens[0]) in NEVER_COMPANY or _bare(tokens[0]) in KIND_WORDS):
        tokens = tokens[1:]
    while tokens and (_bare(tokens[-1]) in NEVER_COMPANY or _bare(tokens[-1]) in KIND_WORDS):
        tokens = tokens[:-1]
    return tokens


def _drop_role(tokens: list[str]) -> tuple[list[str], bool]:
    """The name without a trailing role title, and whether one was dropped ("Amazon SDE Intern")."""
    end = len(tokens)
    while end and _bare(tokens[end - 1]) in ROLE_HEADS | ROLE_MODIFIERS:
        end -= 1
    if end == len(tokens) or not any(_bare(t) in ROLE_HEADS for t in tokens[end:]):
        return tokens, False
    return tokens[:end], True


def _name_or_none(tokens: list[str]) -> str | None:
    if tokens and _bare(tokens[0]) in HONORIFICS:
        return None  # a person ("Dr. Sharma's talk", "by Mr. Rao")
    tokens = _trim_name(tokens)
    if not tokens or not tokens[0][:1].isalpha():
        return None
    if all(_bare(token) in ONLY_IN_A_NAME for token in tokens):
        return None
    name = _tidy(" ".join(tokens))
    if name is None or _EVENT_NAME.search(name):
        return None
    return name


@dataclass(frozen=True)
class _Segment:
    names: tuple[str, ...]  # capitalised runs left once kind, stage, date and role words are set aside
    role_dropped: bool  # a trailing role was set aside ("Amazon SDE Intern")
    sentence: bool  # ordinary lower-case words: a sentence, not a name
    # One word opening a segment with kind words after it: capitalised perhaps only because it opens
    # the title ("Bus timings" as much as "Juspay interview schedule"), so the body must name it too.
    opening_word: bool


def _read_segment(segment: str) -> _Segment:
    tokens = [re.sub(r"['’]s$", "", t) for t in _DATES.sub(" ", segment).split() if _bare(t)]
    all_caps = not any(ch.islower() for ch in segment)
    runs: list[list[str]] = [[]]
    sentence = False
    for token in tokens:
        bare = _bare(token)
        capitalised = token[:1].isupper() or token[:1].isdigit() or token == "&"
        if bare in KIND_WORDS or bare in NEVER_COMPANY or (all_caps and bare in ROLE_HEADS):
            runs.append([])
        elif capitalised or all_caps:
            runs[-1].append(token)
        else:
            sentence = True
    names: list[str] = []
    role_dropped = False
    for run in (r for r in runs if r):
        kept, dropped = _drop_role(run)
        role_dropped |= dropped and bool(kept)
        name = _name_or_none(kept)
        if name:
            names.append(name)
    opening = len(names) == 1 and len(tokens) > 1 and names[0] == _bare_token(tokens[0])
    return _Segment(tuple(names), role_dropped, sentence, opening and not names[0].isupper())


def _bare_token(token: str) -> str:
    return token.strip(".,;:!?'’\"()[]")


def _named_in(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text[:4000]) is not None


def _title_names(title: str, text: str) -> tuple[list[str], list[str]]:
    """Names that title segments are made of (role-free first), and every capitalised run of the title."""
    plain: list[str] = []
    with_role: list[str] = []
    everything: list[str] = []
    for part in _TITLE_SEPARATORS.split(title):
        if not part.strip():
            continue
        segment = _read_segment(part)
        everything.extend(segment.names)
        if segment.sentence or len(segment.names) != 1:
            continue
        if segment.opening_word and not _named_in(segment.names[0], text):
            continue
        (with_role if segment.role_dropped else plain).append(segment.names[0])
    return plain + with_role if plain else with_role, everything


def _tokens_of(name: str) -> list[str]:
    return company_key(name).split()


def _same_company(first: str, second: str) -> bool:
    """One name starts the other ("Microsoft" and "Microsoft IDC", "TCS" and "TCS CodeVita")."""
    a, b = _tokens_of(first), _tokens_of(second)
    shorter = min(len(a), len(b))
    return shorter > 0 and a[:shorter] == b[:shorter]


def _shorter(first: str, second: str) -> str:
    return first if len(_tokens_of(first)) <= len(_tokens_of(second)) else second


def _body_names(text: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for label, pattern in patterns:
        for match in pattern.finditer(text[:4000]):
            name = _name_or_none(_drop_role(match.group("company").split())[0])
            if name:
                found.append((name, label))
    return found


def _one_company(found: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The single company among names read from the body (shortest spelling); None when several."""
    if not found:
        return None
    best = found[0]
    for name, label in found[1:]:
        if not _same_company(name, best[0]):
            return None
        if _shorter(name, best[0]) == name:
            best = (name, label)
    return best


def _abbreviates(short: str, full: str) -> bool:
    """ "HUL" for "Hindustan Unilever", "P&G" for "Procter & Gamble", "TI" for "Texas Instruments"."""
    letters = short.replace("&", "")
    if not (2 <= len(letters) <= 5 and letters.isalpha() and letters.isupper() and " " not in short):
        return False
    initials = "".join(word[0] for word in full.replace("&", " ").split()).upper()
    return len(initials) >= 2 and initials in (letters, letters[:-1])


def _expand_abbreviation(name: str, text: str) -> str:
    """ "HUL" as the body spells it out ("group discussion of Hindustan Unilever"), when it does."""
    for candidate, _ in _body_names(text, _STAGE_PATTERNS + _ORGANISER_PATTERNS):
        if _abbreviates(name, candidate):
            return candidate
    return name


def _body_disagrees(name: str, text: str) -> str | None:
    """A different recruiter named by a body that never names the title's ("Microsoft Teams link" for a Velto PPT)."""
    if _named_in(name, text):
        return None
    for other, _ in _body_names(text, _STAGE_PATTERNS + _ORGANISER_PATTERNS):
        if not (_same_company(other, name) or _abbreviates(other, name) or _abbreviates(name, other)):
            return other
    return None


def _short_form(name: str, text: str) -> str:
    """A title's "Wipro Elite NTH" is "Wipro" when the body also calls the company just "Wipro"."""
    tokens = name.split()
    for match in _RUN.finditer(text[:4000]):
        run = match.group("company").split()
        if 0 < len(run) < len(tokens) and run == tokens[: len(run)] and _name_or_none(run):
            return " ".join(run)
    return name


def _labelled_role(text: str) -> str | None:
    match = _LABELLED_ROLE.search(text[:3000])
    return match.group("role").strip() if match else None


def _portal_format(title: str, text: str, role: str | None) -> CompanyFinding | None:
    match = _OPEN_FOR.search(title)
    if match:
        open_role = (match.group("role") or "").strip() or None
        return CompanyFinding(
            _tidy(match.group("company")), open_role, "the portal's 'Open for applications' title"
        )
    labelled = _LABELLED_COMPANY.search(text[:3000])
    if labelled:
        return CompanyFinding(_tidy(labelled.group("company")), role, "the body's 'Company:' line")
    for segment in _TITLE_SEPARATORS.split(title):
        possessive = _POSSESSIVE_JOB.match(segment.strip())
        if possessive:
            return CompanyFinding(_tidy(possessive.group("company")), role, "the title's 'X's job profile'")
    hiring = _IS_HIRING.match(title)
    if hiring:
        name = _name_or_none(hiring.group("company").split())
        if name:
            return CompanyFinding(name, role, "the title's 'X is hiring'")
    return None


# A bracketed qualifier of a title ("(IC1)", "(ECE/EEE)", "(Networks)") says what the role is, not who recruits.
_QUALIFIER = re.compile(r"\([^()]{1,60}\)")


def _from_title(title: str, text: str, role: str | None) -> CompanyFinding | None:
    names, _ = _title_names(_QUALIFIER.sub(" ", title), text)
    if not names:
        names, _ = _title_names(title, text)
    names = without_programme_codes(names, text)
    distinct: list[str] = []
    for name in names:
        if not any(_same_company(name, seen) for seen in distinct):
            distinct.append(name)
    if len(distinct) > 1:
        # Several names ("Zenith Labs - Onboarding"): keep the one the body names, if only one is.
        confirmed = [name for name in distinct if _named_in(name, text)]
        distinct = confirmed if len(confirmed) == 1 else distinct
    if len(distinct) > 1 or (not distinct and len(names) > 1):
        return CompanyFinding(None, role, "the title names several, and the body does not say which recruits")
    if not distinct:
        return None
    name = _short_form(_expand_abbreviation(distinct[0], text), text)
    other = _body_disagrees(name, text) if name == distinct[0] else None
    if other is not None:
        return CompanyFinding(
            None, role, f"the title names {name!r} but the body another recruiter, {other!r}"
        )
    source = "a title segment that is only a name once kind, stage, date and role words are set aside"
    if name != distinct[0]:
        source += f" ({distinct[0]!r} as the body spells it)"
    return CompanyFinding(name, role, source)


def _event_organiser(title: str, text: str, role: str | None) -> CompanyFinding:
    """The company running a talk or contest: named in the title and shown running it in the body."""
    plain, title_names = _title_names(title, text)
    ppt = re.search(r"\b(?:ppt|pre[- ]placement talk)\b", title, re.IGNORECASE)
    if ppt and len(plain) == 1:
        return CompanyFinding(plain[0], role, "the title of its pre-placement talk")
    for organiser, label in _body_names(text, _ORGANISER_PATTERNS):
        for name in title_names:
            if _same_company(name, organiser):
                return CompanyFinding(_shorter(name, organiser), role, f"the title, and the body's {label}")
    return CompanyFinding(None, role, "no company shown running the event (titles name topics and speakers)")


def resolve_company(title: str, text: str = "", *, event: bool = False) -> CompanyFinding:
    """The company and role a portal notice names, before any stored job is linked.

    ``event`` is for talks and contests, whose title counts only when the body shows the company
    running the event.
    """
    title = normalize_space(title).replace("\n", " ")
    role = _labelled_role(text)
    found = _portal_format(title, text, role)
    if found is not None:
        return found
    if event:
        return _event_organiser(title, text, role)
    found = _from_title(title, text, role)
    if found is not None:
        return found
    if _ALUMNI.search(title) or _ALUMNI.search(text[:4000]):
        return CompanyFinding(None, role, "alumni and seniors name their employers, not a recruiter")
    one = _one_company(_body_names(text, _STAGE_PATTERNS + _ORGANISER_PATTERNS))
    if one is not None:
        return CompanyFinding(one[0], role, f"the body's {one[1]}, the only company it names so")
    return CompanyFinding(None, role, "the notice names no company as the recruiter")


def extract_company_and_role(title: str, text: str = "") -> tuple[str | None, str | None]:
    """Company and role as the notice names them (before any job is linked); None when not named."""
    found = resolve_company(title, text)
    return found.company, found.role
