"""Deterministic rules for SuperSet notices: type, shortlisted students, company and job link.

These rules need no network and no language model, and give the same answer every time, so a notice can be re-processed without changing what
students were told. Everything here is a pure function over the portal's JSON and the stored
jobs: no I/O, no Dagster.

Rules, in the order they break ties:

1. a list or table of students, or a title about a shortlist  -> ``shortlisting``
2. a clear opportunity to apply for a job                   -> ``job_posting``
3. a coding competition                                    -> ``hackathon``
4. a talk, session or seminar                               -> ``webinar``
5. a change to an ongoing drive (reschedule, venue, link)   -> ``update``
6. anything else                                            -> ``announcement``

Keywords always match on word boundaries ("talk" is not in "talking", "ppt" not in "apptitude").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from jiit_assets.lib.markup import html_to_text, normalize_space, parse_fragment
from jiit_assets.lib.models import NoticeContent, NoticeType, Student
from jiit_assets.lib.text import company_key, format_ist, format_lpa, from_epoch_ms

DEFAULT_JOB_URL_BASE = "https://jiit-placement-updates.tashif.codes/jobs/"

# Longest title or company name we accept; portal titles are short, anything longer is noise.
_MAX_TITLE = 300
_MAX_COMPANY_WORDS = 7


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# fmt: off
_SHORTLIST_TITLE = _words(
    r"short[- ]?list(?:ed|ing|s)?", r"selected (?:students|candidates)",
    r"final (?:selects|selections?|results?)",
    r"list of (?:selected|shortlisted|qualified) (?:students|candidates)",
    r"(?:students|candidates) (?:shortlisted|selected|qualified)",
    r"results? (?:of|for) (?:the )?(?:online (?:test|assessment)|written test|interview|round|coding (?:test|round)|gd)",
)
_SHORTLIST_CUE = _words(
    r"short[- ]?listed", r"following (?:students|candidates)", r"selected (?:students|candidates)",
    r"(?:students|candidates) (?:are|have been) (?:selected|shortlisted)", r"qualified for",
    r"cleared (?:the )?(?:online test|test|round|interview)",
)
_JOB_TITLE = _words(
    r"open for applications?", r"job profiles?", r"applications? (?:are )?(?:invited|open)",
    r"job (?:opening|opportunity|openings)", r"internship (?:opportunity|opening)",
)
# Titles that announce a drive but may also be a calendar or a policy: a job posting only when the
# body invites applications.
_DRIVE_TITLE = _words(
    r"hiring", r"recruitment", r"(?:campus|placement|pool|off[- ]campus|hiring|internship) drive",
    r"now open",
)
# A change to something already announced; in a title this outranks the event it changes.
_CHANGE_TITLE = _words(
    r"re-?scheduled?", r"postponed?", r"preponed?", r"cancell?ed", r"deferred", r"delayed", r"extended",
    r"revised", r"changed?", r"change (?:in|of)", r"reminder", r"updated?",
)
_MONTHS_AND_DAYS = (
    r"jan(?:uary)?", r"feb(?:ruary)?", r"mar(?:ch)?", r"apr(?:il)?", r"may", r"june?", r"july?",
    r"aug(?:ust)?", r"sep(?:t|tember)?", r"oct(?:ober)?", r"nov(?:ember)?", r"dec(?:ember)?", r"monday",
    r"tuesday", r"wednesday", r"thursday", r"friday", r"saturday", r"sunday", r"today", r"tomorrow",
)
_APPLY = _words(
    r"apply (?:now|by|before|on|through|via|at|using|here)",
    r"last date (?:to|for) (?:apply|applying|application|register|registration)",
    r"applications? (?:are )?(?:invited|open)",
    r"interested (?:and eligible )?students (?:can|may|should) apply",
    r"register (?:on|through|via) (?:the )?(?:superset|portal)",
)
_JOB_DETAIL = _words(
    r"ctc", r"stipend", r"lpa", r"package", r"job description", r"jd", r"eligib(?:le|ility)", r"designation",
    r"role", r"position",
)
_HACKATHON = _words(
    r"hackathons?", r"codathon", r"hackfest", r"ideathon", r"code ?sprint",
    r"coding (?:contest|competition|challenge)", r"capture the flag", r"ctf",
    r"programming (?:contest|competition)", r"hiring challenge", r"code ?fest",
)
_WEBINAR_TITLE = _words(
    r"webinars?", r"seminars?", r"workshops?", r"talks?", r"sessions?", r"masterclass", r"guest lectures?",
    r"pre[- ]placement talk", r"ppt", r"info(?:rmation)? session", r"conclave", r"panel discussion",
)
_WEBINAR_BODY = _words(
    r"webinar", r"seminar", r"masterclass", r"guest lecture", r"pre[- ]placement talk", r"workshop",
)
_UPDATE = _words(
    r"re-?scheduled?", r"postponed?", r"preponed?", r"extended", r"extension", r"revised", r"changed?",
    r"change in", r"updated?", r"reminder", r"venue", r"timings?", r"test link", r"cancell?ed", r"deferred",
    r"reporting time", r"kindly note", r"please note", r"delayed", r"schedule", r"scheduled",
)
_DRIVE = _words(
    r"test", r"interview", r"drive", r"round", r"assessment", r"process", r"deadline", r"registration",
    r"ppt", r"gd", r"group discussion", r"shortlist(?:ed)?", r"offer", r"joining",
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

# Enrollment numbers: JIIT uses 8-10 digits (22103045, 9921103045); other colleges mix letters in.
_ENROLLMENT = r"(?=[A-Za-z0-9]*\d{5})[A-Za-z0-9]{6,12}"
_ENROLLMENT_RE = re.compile(rf"^{_ENROLLMENT}$")
# A person's name: 1-6 words of letters, dots, apostrophes and hyphens.
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*\.?"
_NAME = rf"{_NAME_WORD}(?:[ ]+{_NAME_WORD}){{0,5}}"
_NAME_RE = re.compile(rf"^{_NAME}$")
_BULLET = r"(?:\(?\d{1,4}[.):]\s*|[-*•·]\s*)?"
_LINE_NAME_ENR = re.compile(
    rf"^\s*{_BULLET}(?P<name>{_NAME})\s*[(\[]\s*(?P<enr>{_ENROLLMENT})\s*[)\]]\s*[.,;]?\s*$"
)
_LINE_ENR_NAME = re.compile(
    rf"^\s*{_BULLET}(?P<enr>{_ENROLLMENT})\s*(?:[-–—:|,]\s*|\s+)(?P<name>{_NAME})\s*$"
)
_LINE_NAME_SEP_ENR = re.compile(
    rf"^\s*{_BULLET}(?P<name>{_NAME})\s*(?:[-–—:|,]\s*|\s{{2,}}|\t)(?P<enr>{_ENROLLMENT})\s*$"
)
_LINE_NUMBERED_NAME = re.compile(rf"^\s*(?:\(?\d{{1,4}}[.):]|[-*•·])\s*(?P<name>{_NAME})\s*$")
# fmt: off
_NOT_A_PERSON = _words(
    r"contact", r"call", r"phone", r"mobile", r"whatsapp", r"helpline", r"email", r"office", r"cell", r"ctc",
    r"package", r"stipend", r"base", r"bonus", r"total", r"venue", r"date", r"time", r"round", r"test",
    r"interview", r"company", r"role", r"location", r"deadline", r"note", r"students?", r"candidates?", r"mr",
    r"mrs", r"ms", r"dr", r"prof", r"sir", r"madam", r"regards", r"team", r"department", r"dept",
    r"shortlisted", r"selected", r"following", r"list", r"b\.?tech", r"m\.?tech", r"mca", r"bca", r"cse",
    r"ece", r"it", r"bba", r"mba", r"sno", r"s\.no", r"sr", r"name", r"enrollment", r"enrolment", r"roll",
    r"allowance", r"salary", r"fixed", r"variable", r"component", r"insurance", r"gratuity", r"pf",
    r"incentive", r"esops?", r"relocation", r"joining", r"retention", r"perks", r"benefits", r"amount",
)
# fmt: on
_NAME_HEADER = re.compile(r"\b(?:student'?s?|candidate'?s?|full)?\s*name\b", re.IGNORECASE)
_ENROLLMENT_HEADER = re.compile(
    r"\b(?:enrol?l?ment|enrl|enroll|roll|registration|reg|admission|student id|jiit id|university id|uid)\b",
    re.IGNORECASE,
)
_OTHER_NAME_HEADER = re.compile(
    r"\b(?:father|mother|guardian|company|college|institute|branch|course)\b", re.I
)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class JobSummary:
    """The fields of an ``enriched_jobs`` document a notice needs to link and describe its job."""

    id: str
    company: str
    job_profile: str = ""
    company_key: str = ""
    package: float = 0.0  # rupees per annum, or per month when monthly
    monthly: bool = False
    deadline: datetime | None = None
    location: str | None = None
    hiring_flow: tuple[str, ...] = ()
    created_at_ms: int = 0

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> JobSummary:
        company = str(document.get("company") or "")
        package = document.get("package")
        if not isinstance(package, int | float) or isinstance(package, bool) or not math.isfinite(package):
            package = 0.0
        location = str(document.get("location") or "").strip()
        created = document.get("createdAt")
        return cls(
            id=str(document.get("id") or document.get("_id") or ""),
            company=company,
            job_profile=str(document.get("job_profile") or ""),
            company_key=str(document.get("company_key") or company_key(company)),
            package=float(package),
            monthly=str(document.get("annum_months") or "").strip().lower().startswith("m"),
            deadline=from_epoch_ms(document.get("deadline")),
            location=location if location and location.lower() != "unknown" else None,
            hiring_flow=tuple(str(stage) for stage in _as_list(document.get("hiring_flow")) if stage),
            created_at_ms=int(created) if isinstance(created, int) and not isinstance(created, bool) else 0,
        )

    @property
    def package_lpa(self) -> float | None:
        """Annual package in lakh rupees; monthly stipends are annualised (12 months)."""
        if self.package <= 0:
            return None
        return round(self.package * (12 if self.monthly else 1) / 100_000, 2)

    @property
    def package_text(self) -> tuple[str, str] | None:
        """("CTC", "₹12 LPA") or ("Stipend", "₹25,000 per month"); None when the portal gave no package."""
        if self.package <= 0:
            return None
        if self.monthly:
            amount = f"{self.package:,.2f}".rstrip("0").rstrip(".")
            return "Stipend", f"₹{amount} per month"
        text = format_lpa(self.package / 100_000)
        return ("CTC", text) if text else None


# ---------------------------------------------------------------------------------------------
# Students
# ---------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str | None:
    name = normalize_space(name).replace("\n", " ").strip(" .,;:-–—|")
    if not name or len(name) > 80 or not _NAME_RE.match(name):
        return None
    if _NOT_A_PERSON.search(name):
        return None
    return name


def _clean_enrollment(value: str) -> str | None:
    value = value.strip().replace(" ", "")
    return value.upper() if _ENROLLMENT_RE.match(value) else None


def _expand_table(table: etree._Element) -> list[list[str]]:
    """The table as a grid, with rowspan and colspan cells repeated in every slot they cover."""
    grid: list[list[str]] = []
    carried: dict[tuple[int, int], str] = {}  # (row, column) -> text of a rowspan cell from above
    rows = [row for row in table.iter("tr") if _owning_table(row) is table]
    for row_index, row in enumerate(rows):
        cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
        out: list[str] = []
        column = 0
        for cell in cells:
            while (row_index, column) in carried:
                out.append(carried.pop((row_index, column)))
                column += 1
            text = normalize_space(" ".join(cell.itertext())).replace("\n", " ")
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"))
            for offset in range(colspan):
                out.append(text)
                for below in range(1, rowspan):
                    carried[(row_index + below, column + offset)] = text
            column += colspan
        while (row_index, column) in carried:
            out.append(carried.pop((row_index, column)))
            column += 1
        if any(out):
            grid.append(out)
    return grid


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1


def _owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _column(
    header: Sequence[str], pattern: re.Pattern[str], exclude: re.Pattern[str] | None = None
) -> int | None:
    for index, cell in enumerate(header):
        if pattern.search(cell) and not (exclude and exclude.search(cell)) and len(cell) <= 40:
            return index
    return None


def _students_from_grid(grid: list[list[str]]) -> list[Student]:
    """Students from one table: columns found by header, else by what the cells look like."""
    header_index: int | None = None
    name_col = enrollment_col = None
    for index, row in enumerate(grid[:5]):
        if len(set(row)) == 1 and len(row) > 1:
            continue  # a caption row merged across the whole table
        name_col = _column(row, _NAME_HEADER, _OTHER_NAME_HEADER)
        enrollment_col = _column(row, _ENROLLMENT_HEADER)
        if name_col is not None or enrollment_col is not None:
            header_index = index
            break
    body = grid[header_index + 1 :] if header_index is not None else grid
    width = max((len(row) for row in body), default=0)
    if enrollment_col is None:
        enrollment_col = _best_column(
            body, width, lambda cell: _clean_enrollment(cell) is not None, exclude=name_col
        )
    if name_col is None:
        name_col = _best_column(
            body, width, lambda cell: _clean_name(cell) is not None, exclude=enrollment_col
        )
    if header_index is None:
        # Without a header the only evidence of a student table is a column of enrollment numbers;
        # a CTC breakdown ("Base | 1000000") or a schedule must not become a list of "students".
        if enrollment_col is None:
            return []
        values = [row[enrollment_col] for row in body if enrollment_col < len(row)]
        if sum(1 for value in values if value.endswith("000")) * 2 > len(values):
            return []
    students: list[Student] = []
    for row in body:
        name_cell = row[name_col] if name_col is not None and name_col < len(row) else ""
        enrollment_cell = (
            row[enrollment_col] if enrollment_col is not None and enrollment_col < len(row) else ""
        )
        enrollment = _clean_enrollment(enrollment_cell)
        name = _clean_name(name_cell)
        if name is None and name_cell:
            embedded = _student_from_line(name_cell)
            if embedded is not None:
                students.append(embedded)
                continue
        if name is not None:
            students.append(Student(name=name, enrollment_number=enrollment))
    return students


def _best_column(rows: list[list[str]], width: int, test: Any, exclude: int | None) -> int | None:
    best: tuple[float, int] | None = None
    for column in range(width):
        if column == exclude:
            continue
        cells = [row[column] for row in rows if column < len(row) and row[column]]
        if not cells:
            continue
        share = sum(1 for cell in cells if test(cell)) / len(rows)
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, column)
    return best[1] if best else None


def _student_from_line(line: str) -> Student | None:
    for pattern in (_LINE_NAME_ENR, _LINE_ENR_NAME, _LINE_NAME_SEP_ENR):
        match = pattern.match(line)
        if match:
            name = _clean_name(match.group("name"))
            enrollment = _clean_enrollment(match.group("enr"))
            if name and enrollment:
                return Student(name=name, enrollment_number=enrollment)
    return None


def _students_from_text(text: str) -> tuple[list[Student], set[int]]:
    """Students from text lines and comma lists; also the indexes of the lines that were only students."""
    students: list[Student] = []
    consumed: set[int] = set()
    lines = text.split("\n")
    after_cue = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        student = _student_from_line(stripped) if len(stripped) <= 200 else None
        if student is not None:
            students.append(student)
            consumed.add(index)
            continue
        cue = bool(_SHORTLIST_CUE.search(stripped))
        listed = _students_from_comma_list(
            stripped.split(":", 1)[1] if cue and ":" in stripped else stripped, cue or after_cue
        )
        if listed:
            students.extend(listed)
            if not cue:
                consumed.add(index)
            after_cue = False
            continue
        if after_cue:
            match = _LINE_NUMBERED_NAME.match(stripped)
            name = _clean_name(match.group("name")) if match else None
            if name:
                students.append(Student(name=name))
                consumed.add(index)
                continue
            after_cue = False
        if cue:
            after_cue = True
    return students, consumed


def _students_from_comma_list(line: str, after_cue: bool) -> list[Student]:
    if line.count(",") + line.count(";") < 1 or len(line) > 5000:
        return []
    items = [item.strip() for item in re.split(r"[,;]", line) if item.strip()]
    found = [_student_from_line(item) for item in items]
    if all(found):
        return [student for student in found if student]
    if after_cue:
        names = [_clean_name(item) for item in items]
        if all(names) and all(len(str(name).split()) >= 2 for name in names):
            return [Student(name=str(name)) for name in names]
    return []


def _dedupe(students: Iterable[Student]) -> tuple[Student, ...]:
    # Keyed on both: the portal's lists do contain two names with one enrollment number (a typo
    # there), and dropping either student would hide a shortlisted name.
    seen: set[tuple[str, str]] = set()
    unique: list[Student] = []
    for student in students:
        key = (student.enrollment_number or "", student.name.casefold())
        if key not in seen:
            seen.add(key)
            unique.append(student)
    return tuple(unique)


@dataclass(frozen=True)
class ParsedBody:
    students: tuple[Student, ...]
    text: str  # the notice as plain text, without the student tables and lines already listed


def parse_body(content_html: str) -> ParsedBody:
    """Students from the notice's tables and text lines, and the remaining readable text."""
    root = parse_fragment(content_html or "")
    if root is None:
        return ParsedBody(students=(), text="")
    students: list[Student] = []
    for table in list(root.iter("table")):
        if _owning_table(table) is not None:
            continue  # nested tables are read as part of their outer table
        found = _students_from_grid(_expand_table(table))
        if found:
            students.extend(found)
            tail = table.tail
            parent = table.getparent()
            if parent is not None:
                replacement = etree.Element("p")
                replacement.tail = tail
                parent.replace(table, replacement)
    text = html_to_text(etree.tostring(root, encoding="unicode"))
    from_text, consumed = _students_from_text(text)
    students.extend(from_text)
    lines = [line for index, line in enumerate(text.split("\n")) if index not in consumed]
    return ParsedBody(students=_dedupe(students), text=normalize_space("\n".join(lines)))


def parse_students(content_html: str) -> tuple[Student, ...]:
    """Shortlisted students (name, enrollment number) found in a notice's HTML tables and text."""
    return parse_body(content_html).students


# ---------------------------------------------------------------------------------------------
# Type
# ---------------------------------------------------------------------------------------------


def classify_notice(
    title: str, text: str, students: Sequence[Student] = (), company: str | None = None
) -> NoticeType:
    """The notice type by the reference's tie-break priority; see the module docstring."""
    title = title or ""
    if students or _SHORTLIST_TITLE.search(title):
        return NoticeType.SHORTLISTING
    title_is_event = bool(_HACKATHON.search(title) or _WEBINAR_TITLE.search(title))
    about_a_drive = bool(company) or bool(_DRIVE.search(title)) or bool(_DRIVE.search(text[:2000]))
    if not title_is_event and (
        _JOB_TITLE.search(title) or (_DRIVE_TITLE.search(title) and _APPLY.search(text))
    ):
        return NoticeType.JOB_POSTING
    if not title_is_event and _APPLY.search(text) and _JOB_DETAIL.search(text):
        return NoticeType.JOB_POSTING
    if _CHANGE_TITLE.search(title) and (
        about_a_drive or title_is_event or title.lower().startswith("reminder")
    ):
        return NoticeType.UPDATE
    if _HACKATHON.search(title):
        return NoticeType.HACKATHON
    if _WEBINAR_TITLE.search(title):
        return NoticeType.WEBINAR
    if _HACKATHON.search(text):
        return NoticeType.HACKATHON
    if _WEBINAR_BODY.search(text):
        return NoticeType.WEBINAR
    if (_UPDATE.search(title) or _UPDATE.search(text[:2000])) and about_a_drive:
        return NoticeType.UPDATE
    return NoticeType.ANNOUNCEMENT


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
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
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
    notice_type = classify_notice(title, body.text, body.students, company)
    if job is None and notice_type in (NoticeType.HACKATHON, NoticeType.ANNOUNCEMENT):
        # What such a title names is an event or a topic, not a recruiter.
        company = None
    if notice_type in (NoticeType.HACKATHON, NoticeType.WEBINAR, NoticeType.ANNOUNCEMENT):
        # A talk or a contest by a recruiter is not about one of its job profiles: name the company,
        # but do not show a role, a package or a job link that the notice never mentioned.
        job = None
        named_role = None
    role = (job.job_profile or None) if job else named_role

    facts: list[tuple[str, str]] = []
    if company:
        facts.append(("Company", company))
    if role:
        facts.append(("Role", role))
    if job is not None:
        package = job.package_text
        if package and notice_type in (NoticeType.JOB_POSTING, NoticeType.SHORTLISTING, NoticeType.UPDATE):
            facts.append(package)
        if job.location:
            facts.append(("Location", job.location))
        if job.deadline and notice_type in (NoticeType.JOB_POSTING, NoticeType.UPDATE):
            facts.append(("Deadline", format_ist(job.deadline)))
        if job.hiring_flow and notice_type in (NoticeType.JOB_POSTING, NoticeType.SHORTLISTING):
            facts.append(("Hiring Process", " → ".join(job.hiring_flow)))

    published = _aware_utc(raw.get("published_at")) or _aware_utc(raw.get("publishedAt"))
    author = raw.get("lastModifiedByUserName")
    return NoticeContent(
        source="superset",
        source_id=str(identifier).strip(),
        type=notice_type,
        title=title,
        text=body.text,
        facts=tuple(facts),
        students=body.students,
        company=company,
        role=role,
        job_id=job.id if job else None,
        package_lpa=job.package_lpa if job else None,
        deadline=job.deadline if job else None,
        author=normalize_space(author) if isinstance(author, str) and author.strip() else None,
        published_at=published,
        url=f"{job_url_base}{job.id}" if job and job.id else None,
    )
