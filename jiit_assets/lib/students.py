"""Students named on one line of a notice or an offer mail: names with enrollment numbers.

One parser for the portal and for e-mail. A student line is split into columns (at " - ", "–", "|",
tabs, commas and brackets; an enrollment number standing alone is a column of its own): the column
that reads as a person's name is the student, the one that reads as an enrollment number is theirs,
and the rest (branch, role, package) is handed back for the e-mail rules to read. Whole notices
(tables and lists of lines) are read by ``student_lists``.

Every pattern is anchored or bounded, and lines longer than ``MAX_LINE_CHARS`` are not read as
student lines, so hostile input cannot make a match slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiit_assets.lib.markup import normalize_space

MAX_LINE_CHARS = 240


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# A line that announces a list of students below it (or after its colon).
LIST_CUE = _words(
    r"short[- ]?listed",
    r"following (?:students|candidates)",
    r"selected (?:students|candidates)",
    r"(?:students|candidates) (?:are|have been) (?:selected|shortlisted)",
    r"qualified for",
    r"cleared (?:the )?(?:online test|test|round|interview)",
    r"congratulations to",
)
# Enrollment numbers: JIIT uses 8-10 digits (22103045, 9921103045); other colleges mix letters in. A run
# of six or seven digits alone is a PIN code or a phone extension ("Noida - 201309"), never a student's.
_ENROLLMENT = r"(?:\d{8,10}|(?=\d{0,11}[A-Za-z])(?=[A-Za-z0-9]{0,7}\d{5})[A-Za-z0-9]{6,12})"
_ENROLLMENT_RE = re.compile(rf"^{_ENROLLMENT}$")
_ENROLLMENT_TOKEN = re.compile(rf"(?<![\w,.]){_ENROLLMENT}(?![\w,]|\.\d)")
# A person's name: 1-6 words of letters, dots, apostrophes and hyphens.
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_])){0,30}\.?"
_NAME = rf"{_NAME_WORD}(?:[ ]{{1,3}}{_NAME_WORD}){{0,5}}"
_NAME_RE = re.compile(rf"^{_NAME}$")
_BULLET_RE = re.compile(r"^\s{0,8}(?:\(?\d{1,4}[.):]\s{0,4}|[-*•·▪●◦]\s{0,4}|[a-z][.)]\s{1,4})")
# A bare serial number before a capitalised name ("1 Gaurav Bhandari 221 03 417", a "Sl Name Enrl. No."
# table typed as text). Weaker than a bullet: the line must then carry an enrollment number.
_ROW_NUMBER = re.compile(r"^\s{0,8}\d{1,3}\s{1,6}(?=[^\W\d_])")
# Column separators inside a student line: spaced dashes, pipes, tabs, commas, brackets, wide gaps.
# A comma between digits groups a rupee figure ("Rs. 7,50,000") and does not split it.
_COLUMN_SPLIT = re.compile(r"\s{1,4}[-–—/]\s{1,4}|[–—|\t;()\[\]]|(?<!\d),|,(?!\d)|\s{3,}|\s{0,4}:\s{1,4}")
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
    r"congratulations", r"dear", r"hi", r"hello", r"thanks", r"cheers", r"branch", r"batch", r"lpa",
    r"engineer", r"analyst", r"developer", r"intern", r"trainee", r"consultant", r"manager", r"sde",
    r"associate", r"executive", r"officer", r"specialist", r"architect", r"designer", r"scientist",
    r"programmer", r"tester",
    r"enrol\w*", r"enrl", r"enr", r"no", r"regn?", r"registration", r"uid", r"admission", r"id",
    r"status", r"stage", r"offers?", r"extended", r"released", r"hold", r"pending", r"result", r"outcome",
    r"college", r"university",
)
# fmt: on
@dataclass(frozen=True)
class StudentLine:
    """One student read from a line: the other columns (branch, role, package) are kept for e-mail."""

    name: str
    enrollment: str | None
    rest: tuple[str, ...] = ()
    bulleted: bool = False


def clean_name(name: str) -> str | None:
    """The name as written when it reads as a person's name, else None."""
    name = normalize_space(name[:200]).replace("\n", " ").strip(" .,;:-–—|")
    if not name or len(name) > 80 or not _NAME_RE.match(name):
        return None
    if _NOT_A_PERSON.search(name):
        return None
    return name


# An enrollment number written in groups ("221 03 417", "22/103/452", "2210 4433"): 8-10 digits in
# two to four groups. Dates ("15/11/2025") and mobile numbers ("98765 43210") are not joined.
_GROUPED_DIGITS = re.compile(r"(?<![\w/+.])\d{2,5}(?:[ /]\d{2,5}){1,3}(?![\w/]|\.\d)")


def _join_grouped(match: re.Match[str]) -> str:
    groups = re.split(r"[ /]", match.group(0))
    digits = "".join(groups)
    date_like = len(groups) == 3 and (len(groups[2]) == 4 or len(groups[0]) == 4)
    phone_like = len(groups) == 2 and len(groups[0]) == 5 and groups[0][0] in "6789"
    if 8 <= len(digits) <= 10 and not date_like and not phone_like:
        return digits
    return match.group(0)


def clean_enrollment(value: str) -> str | None:
    """The enrollment number (upper-cased) when ``value`` is one, else None."""
    value = _GROUPED_DIGITS.sub(_join_grouped, value.strip()[:20]).replace(" ", "")
    return value.upper() if _ENROLLMENT_RE.match(value) else None


# A branch or programme written after the name in the same column ("Deepika Rawat ECE").
_BRANCH_TAIL = re.compile(
    r"\s{1,3}(?:B\.?\s?Tech\.?|M\.?\s?Tech\.?|CSE|IT|ECE|EEE|ME|CE|BT|MBA|MCA|BCA|BBA)$"
)


def only_branch(columns: tuple[str, ...]) -> bool:
    """The columns after a name are at most a branch or programme ("Arjun Menon (CSE)")."""
    return all(_BRANCH_TAIL.fullmatch(f" {column.strip()}") for column in columns)


# A title before a name is not part of it ("Ms. Riya Sen").
_HONORIFIC = re.compile(r"^(?:Mr|Ms|Mrs|Miss|Dr|Shri|Sri|Smt|Kumari|Km)\.?\s{1,3}(?=[^\W\d_])", re.IGNORECASE)


def _line_name(column: str) -> str | None:
    """A column that is a capitalised person's name (prose in lower case is not a name)."""
    name = clean_name(_BRANCH_TAIL.sub("", _HONORIFIC.sub("", column.strip())))
    if name is None or not all(word[:1].isupper() for word in name.split()):
        return None
    return name


# Words of a sentence, never of a name typed in lower case ("has bagged an offer from").
_PROSE_WORD = _words(
    r"a",
    r"an",
    r"the",
    r"of",
    r"from",
    r"to",
    r"and",
    r"or",
    r"has",
    r"have",
    r"is",
    r"are",
    r"was",
    r"were",
    r"be",
    r"been",
    r"in",
    r"on",
    r"at",
    r"by",
    r"for",
    r"with",
    r"that",
    r"this",
    r"we",
    r"you",
    r"our",
    r"your",
    r"offer",
    r"offers",
    r"share",
    r"happy",
    r"pleased",
    r"got",
    r"bagged",
    r"as",
    r"will",
    r"please",
    r"all",
)


def _lowercase_name(column: str) -> str | None:
    """A person's name of two or more words typed all in lower case, shown capitalised."""
    name = clean_name(_BRANCH_TAIL.sub("", _HONORIFIC.sub("", column.strip())))
    if name is None or not name.islower() or not 2 <= len(name.split()) <= 4 or _PROSE_WORD.search(name):
        return None
    return name.title()


# Where a typed row's name ends: a programme or branch, a code with digits or underscores, a job word.
_AFTER_NAME = re.compile(
    r"^(?:B\.?\s?Tech\.?|M\.?\s?Tech\.?|Int\.?|Dual|MBA|MCA|BCA|BBA|B\.?Sc\.?|M\.?Sc\.?|CSE|IT|ECE|EEE|ME|CE|BT|"
    r"[\w-]*\d[\w-]*|\w*_\w*)$"
)


def _leading_name(column: str) -> tuple[str, ...] | None:
    """A typed table row with its columns run together ("Khushi Agarwal B.Tech CSE Software Development
    Engineer 12", "Aarushi Bansal ZR_55012_CAND"): the capitalised name at its start and the rest."""
    words = column.split()
    cut = next(
        (i for i, word in enumerate(words) if _AFTER_NAME.match(word) or _NOT_A_PERSON.search(word)), None
    )
    if cut is None or not 2 <= cut <= 5:
        return None
    name = _line_name(" ".join(words[:cut]))
    return (name, " ".join(words[cut:])) if name else None


def after_bullet(line: str) -> str | None:
    """The line without its leading number or bullet ("1.", "(2)", "•"), or None when it has none."""
    bullet = _BULLET_RE.match(line)
    return line[bullet.end() :] if bullet else None


# A serial number opening a later column: the second student of a line typed in two columns
# ("1. Aarav Mishra 22103903   3. Utkarsh Tiwari 22103925").
_INNER_SERIAL = re.compile(r"^\d{1,3}[.)]\s{1,4}(?=[^\W\d_])")


# A branch glued to the enrollment number by a hyphen ("21103101-CSE  Pranjal Tripathi") is a column.
_GLUED_BRANCH = re.compile(
    r"\|-\s{0,2}(CSE|IT|ECE|EEE|ME|CE|BT|B\.?Tech|M\.?Tech|MBA|MCA|BCA|BBA)\b", re.IGNORECASE
)


def _columns(line: str) -> list[str]:
    line = _GROUPED_DIGITS.sub(_join_grouped, line)
    line = _ENROLLMENT_TOKEN.sub(lambda match: f"|{match.group(0)}|", line)
    line = _GLUED_BRANCH.sub(r"|\1|", line)
    columns = [column.strip() for column in _COLUMN_SPLIT.split(line) if column and column.strip()]
    return [_INNER_SERIAL.sub("", column) for column in columns]


def students_in_line(line: str) -> list[StudentLine]:
    """The students one line names: "Name (Enr)", "Enr - Name", "Name, Enr, Branch", "1. Name – Enr – CSE",
    "Name | Enr | Role | CTC" or several "Name (Enr)" pairs; empty when the line is not a student line."""
    if len(line) > MAX_LINE_CHARS:
        return []
    bullet = _BULLET_RE.match(line)
    row_number = None if bullet else _ROW_NUMBER.match(line)
    start = bullet or row_number
    text = line[start.end() :] if start else line
    kinds: list[tuple[str, str]] = []
    for column in _columns(text):
        if (enrollment := clean_enrollment(column)) is not None:
            kinds.append(("E", enrollment))
        elif (name := _line_name(column)) is not None:
            kinds.append(("N", name))
        elif (name := _lowercase_name(column)) is not None:
            kinds.append(("n", name))
        elif (lead := _leading_name(column)) is not None:
            kinds.append(("n", lead[0]))
            kinds.extend(("O", part) for part in lead[1:])
        else:
            kinds.append(("O", column))
    enrollments = [value for kind, value in kinds if kind == "E"]
    # A name typed in lower case ("shivam pandey 22103451") counts only beside an enrollment number.
    kinds = [("N" if kind == "n" and enrollments else kind, value) for kind, value in kinds]
    kinds = [("O" if kind == "n" else kind, value) for kind, value in kinds]
    names = [value for kind, value in kinds if kind == "N"]
    rest = tuple(value for kind, value in kinds if kind == "O")
    if row_number and not enrollments:
        return []
    if len(names) == 1 and len(enrollments) <= 1:
        return [StudentLine(names[0], enrollments[0] if enrollments else None, rest, bullet is not None)]
    if len(names) > 1 and len(names) == len(enrollments) and len(rest) <= len(names):
        return [StudentLine(n, e, (), bullet is not None) for n, e in zip(names, enrollments, strict=True)]
    return []


# One student written as a block of "Label: value" lines (an ATS notification, a form): the block
# starts at a name label and runs while lines are labels.
_RECORD_START = re.compile(
    r"(?i)^\s{0,8}(?:[-*•]\s{0,3})?(?:(?:candidate|student)(?:'s)?(?:\s{1,3}(?:full\s+)?name)?|(?:full\s+)?name)"
    r"\s{0,3}:\s{0,3}\S"
)
_RECORD_FIELD = re.compile(r"^\s{0,8}[A-Za-z][\w .()/&'-]{0,30}:\s{0,3}\S")


def join_records(text: str) -> str:
    """The text with each block of "Name: …" / "Enrollment: …" / "Status: …" lines joined into one
    "Name: … | Enrollment: … | Status: …" line, which the line parser reads as one student."""
    out: list[str] = []
    record: list[str] = []
    for line in text[:50_000].split("\n"):
        if _RECORD_START.match(line) or (record and _RECORD_FIELD.match(line) and len(line) <= 120):
            if _RECORD_START.match(line) and record:
                out.append(" | ".join(record))
                record = []
            record.append(line.strip())
            continue
        if record:
            out.append(" | ".join(record))
            record = []
        out.append(line)
    if record:
        out.append(" | ".join(record))
    return "\n".join(out)


def listed_students(text: str) -> int:
    """How many lines name a student (two or more name words) with an enrollment number."""
    return sum(
        1
        for line in text[:50_000].split("\n")
        if any(s.enrollment and len(s.name.split()) >= 2 for s in students_in_line(line.strip()))
    )


# The bracket may label the number and add the branch: "Priya Rao (Enrollment No. 21103301, B.Tech CSE)".
_ENROLLMENT_LABEL = r"(?:(?:enrol{1,2}ment|enrl|roll)\.?\s{0,2}(?:no\.?|number)?\s{0,3}[:.\-]?\s{0,3})?"
_INLINE_NAME_ENR = re.compile(
    rf"(?P<name>(?:[A-Z][\w'’.\-]{{0,30}}[ ]{{1,3}}){{1,4}}[A-Z][\w'’\-]{{0,30}})\s{{0,3}}[(\[]\s{{0,3}}"
    rf"(?i:{_ENROLLMENT_LABEL})(?P<enr>{_ENROLLMENT})\s{{0,3}}(?:[,;/][^)\]\n]{{0,40}})?[)\]]"
)


# "Ananya Gupta, CSE, 22103188 has been selected": the name, a branch or batch, then the number, in
# a sentence whose verb follows (the verb keeps a comma-separated list of other things out).
_INLINE_COMMAS = re.compile(
    rf"(?P<name>(?:[A-Z][\w'’.\-]{{0,30}}[ ]{{1,3}}){{1,4}}[A-Z][\w'’\-]{{0,30}})\s{{0,2}},\s{{0,2}}"
    rf"(?:[A-Za-z.&\- ]{{1,20}},\s{{0,2}}){{0,2}}(?i:{_ENROLLMENT_LABEL})(?P<enr>{_ENROLLMENT}),?\s{{1,3}}"
    r"(?=(?:has|have|is|was|were|will)\b)"
)
# A sign-off ("Regards,", "Thanks & Regards", "Cheers, Asha") and the lines under it up to a blank
# line: the sender's signature, whose "Name (number)" is a phone number, never a selected student.
_SIGN_OFF = (
    r"(?im)^\W{0,3}(?:(?:best|warm|kind|with\s+best)?\s{0,2}regards|thanks(?:\s+(?:and|&)\s+regards)?|"
    r"thank\s+you|sincerely|cheers)(?:[ ,.!\-]{1,3}[A-Z][\w.]{0,20}(?:\s[A-Z][\w.]{0,20})?)?[ ,.!]{0,2}$"
)
_SIGN_OFF_LINE = re.compile(_SIGN_OFF)
_SIGNATURE = re.compile(_SIGN_OFF + r"\n?(?:[^\n]{1,120}\n?){0,6}")


def sign_off(line: str) -> bool:
    """Whether a line closes a mail and starts the sender's signature ("Regards,", "Cheers, Asha")."""
    return bool(_SIGN_OFF_LINE.match(line.strip()))


def inline_students(text: str) -> list[StudentLine]:
    """ "Name (Enrollment)" pairs inside sentences ("… selection of Priya Rao (21103301) and …", "Priya
    Rao (Enrollment No. 21103301, CSE) has …", "Priya Rao, CSE, 21103301 has been selected"), never in
    the sender's signature."""
    text = text[:20_000]
    signed = [(m.start(), m.end()) for m in _SIGNATURE.finditer(text)]
    found: list[StudentLine] = []
    matches = [*_INLINE_NAME_ENR.finditer(text), *_INLINE_COMMAS.finditer(text)]
    for match in sorted(matches, key=lambda m: m.start()):
        if any(start <= match.start() < end for start, end in signed):
            continue
        words = match.group("name").split()
        while words and _NOT_A_PERSON.search(words[0]):
            words = words[1:]  # "Congratulations Priya Rao" -> "Priya Rao"
        name = _line_name(" ".join(words)) if len(words) >= 2 else None
        enrollment = clean_enrollment(match.group("enr"))
        if name and enrollment and all(s.enrollment != enrollment for s in found):
            found.append(StudentLine(name, enrollment))
    return found


_NAME_LIST = re.compile(r"\s{0,3}(?:,|;|\band\b|&)\s{0,3}")


def names_in_list(text: str) -> list[str]:
    """Names of a comma list ("Aditi Rao, Kunal Sethi and Meera Iyer"); empty unless every item is a
    capitalised name of two or more words."""
    items = [item for item in _NAME_LIST.split(text[:2000]) if item.strip()]
    # a branch in brackets after a name ("Riya Sen (CSE) and Aman Roy (IT)") is not part of it
    names = [_line_name(re.sub(r"\s{0,3}\([^()]{1,20}\)\s{0,3}$", "", item)) for item in items]
    if len(items) < 2 or not all(names) or not all(len(str(name).split()) >= 2 for name in names):
        return []
    return [str(name) for name in names]
