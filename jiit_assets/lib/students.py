"""Students named in a notice or an offer mail: names with enrollment numbers, in every layout offices use.

One parser for the portal and for e-mail. A student line is split into columns (at " - ", "–", "|",
tabs, commas and brackets; an enrollment number standing alone is a column of its own): the column
that reads as a person's name is the student, the one that reads as an enrollment number is theirs,
and the rest (branch, role, package) is handed back for the e-mail rules to read. Tables are read by
their header (or, without one, by what the cells look like), with rowspan/colspan expanded and a
total row skipped; comma lists count only after a cue ("the following students", "selected:").

Every pattern is anchored or bounded, and lines longer than ``MAX_LINE_CHARS`` are not read as
student lines, so hostile input cannot make a match slow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from jiit_assets.lib.markup import html_to_text, normalize_space, parse_fragment
from jiit_assets.lib.models import Student

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
# Enrollment numbers: JIIT uses 8-10 digits (22103045, 9921103045); other colleges mix letters in.
_ENROLLMENT = r"(?=[A-Za-z0-9]{0,7}\d{5})[A-Za-z0-9]{6,12}"
_ENROLLMENT_RE = re.compile(rf"^{_ENROLLMENT}$")
_ENROLLMENT_TOKEN = re.compile(rf"(?<![\w,.]){_ENROLLMENT}(?![\w,]|\.\d)")
# A person's name: 1-6 words of letters, dots, apostrophes and hyphens.
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_])){0,30}\.?"
_NAME = rf"{_NAME_WORD}(?:[ ]{{1,3}}{_NAME_WORD}){{0,5}}"
_NAME_RE = re.compile(rf"^{_NAME}$")
_BULLET_RE = re.compile(r"^\s{0,8}(?:\(?\d{1,4}[.):]\s{0,4}|[-*•·▪●◦]\s{0,4}|[a-z][.)]\s{1,4})")
# Column separators inside a student line: spaced dashes, pipes, tabs, commas, brackets, wide gaps.
_COLUMN_SPLIT = re.compile(r"\s{1,4}[-–—]\s{1,4}|[–—|\t,;()\[\]]|\s{3,}|\s{0,4}:\s{1,4}")
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
)
# fmt: on
_NAME_HEADER = re.compile(r"\b(?:student'?s?|candidate'?s?|full)?\s{0,3}name\b", re.IGNORECASE)
_ENROLLMENT_HEADER = re.compile(
    r"\b(?:enrol?l?ment|enrl|enroll|roll|registration|reg|admission|student id|jiit id|university id|uid)\b",
    re.IGNORECASE,
)
_OTHER_NAME_HEADER = re.compile(
    r"\b(?:father|mother|guardian|company|college|institute|branch|course)\b", re.I
)


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


def clean_enrollment(value: str) -> str | None:
    """The enrollment number (upper-cased) when ``value`` is one, else None."""
    value = value.strip().replace(" ", "")[:20]
    return value.upper() if _ENROLLMENT_RE.match(value) else None


# A branch or programme written after the name in the same column ("Deepika Rawat ECE").
_BRANCH_TAIL = re.compile(
    r"\s{1,3}(?:B\.?\s?Tech\.?|M\.?\s?Tech\.?|CSE|IT|ECE|EEE|ME|CE|BT|MBA|MCA|BCA|BBA)$"
)


def _line_name(column: str) -> str | None:
    """A column that is a capitalised person's name (prose in lower case is not a name)."""
    name = clean_name(_BRANCH_TAIL.sub("", column.strip()))
    if name is None or not all(word[:1].isupper() for word in name.split()):
        return None
    return name


def _columns(line: str) -> list[str]:
    line = _ENROLLMENT_TOKEN.sub(lambda match: f"|{match.group(0)}|", line)
    return [column.strip() for column in _COLUMN_SPLIT.split(line) if column and column.strip()]


def students_in_line(line: str) -> list[StudentLine]:
    """The students one line names: "Name (Enr)", "Enr - Name", "Name, Enr, Branch", "1. Name – Enr – CSE",
    "Name | Enr | Role | CTC" or several "Name (Enr)" pairs; empty when the line is not a student line."""
    if len(line) > MAX_LINE_CHARS:
        return []
    bullet = _BULLET_RE.match(line)
    text = line[bullet.end() :] if bullet else line
    kinds: list[tuple[str, str]] = []
    for column in _columns(text):
        if (enrollment := clean_enrollment(column)) is not None:
            kinds.append(("E", enrollment))
        elif (name := _line_name(column)) is not None:
            kinds.append(("N", name))
        else:
            kinds.append(("O", column))
    names = [value for kind, value in kinds if kind == "N"]
    enrollments = [value for kind, value in kinds if kind == "E"]
    rest = tuple(value for kind, value in kinds if kind == "O")
    if len(names) == 1 and len(enrollments) <= 1:
        return [StudentLine(names[0], enrollments[0] if enrollments else None, rest, bullet is not None)]
    if len(names) > 1 and len(names) == len(enrollments) and len(rest) <= len(names):
        return [StudentLine(n, e, (), bullet is not None) for n, e in zip(names, enrollments, strict=True)]
    return []


def listed_students(text: str) -> int:
    """How many lines name a student (two or more name words) with an enrollment number."""
    return sum(
        1
        for line in text[:50_000].split("\n")
        if any(s.enrollment and len(s.name.split()) >= 2 for s in students_in_line(line.strip()))
    )


_INLINE_NAME_ENR = re.compile(
    rf"(?P<name>(?:[A-Z][\w'’.\-]{{0,30}}[ ]{{1,3}}){{1,4}}[A-Z][\w'’\-]{{0,30}})\s{{0,3}}[(\[]\s{{0,3}}(?P<enr>{_ENROLLMENT})\s{{0,3}}[)\]]"
)


def inline_students(text: str) -> list[StudentLine]:
    """ "Name (Enrollment)" pairs inside sentences ("… selection of Priya Rao (21103301) and …")."""
    found: list[StudentLine] = []
    for match in _INLINE_NAME_ENR.finditer(text[:20_000]):
        words = match.group("name").split()
        while words and _NOT_A_PERSON.search(words[0]):
            words = words[1:]  # "Congratulations Priya Rao" -> "Priya Rao"
        name = _line_name(" ".join(words)) if len(words) >= 2 else None
        enrollment = clean_enrollment(match.group("enr"))
        if name and enrollment:
            found.append(StudentLine(name, enrollment))
    return found


_NAME_LIST = re.compile(r"\s{0,3}(?:,|;|\band\b|&)\s{0,3}")


def names_in_list(text: str) -> list[str]:
    """Names of a comma list ("Aditi Rao, Kunal Sethi and Meera Iyer"); empty unless every item is a
    capitalised name of two or more words."""
    items = [item for item in _NAME_LIST.split(text[:2000]) if item.strip()]
    names = [_line_name(item) for item in items]
    if len(items) < 2 or not all(names) or not all(len(str(name).split()) >= 2 for name in names):
        return []
    return [str(name) for name in names]


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
            body, width, lambda cell: clean_enrollment(cell) is not None, exclude=name_col
        )
    if name_col is None:
        name_col = _best_column(
            body, width, lambda cell: clean_name(cell) is not None, exclude=enrollment_col
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
        enrollment = clean_enrollment(enrollment_cell)
        name = clean_name(name_cell)
        if name is None and name_cell:
            embedded = _student_from_line(name_cell)
            if embedded is not None:
                students.append(embedded)
                continue
        if name is not None:
            students.append(Student(name=name, enrollment_number=enrollment))
    return students


def _best_column(
    rows: list[list[str]], width: int, test: Callable[[str], bool], exclude: int | None
) -> int | None:
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
    found = students_in_line(line)
    if len(found) == 1 and found[0].enrollment and len(found[0].rest) <= 2:
        return Student(name=found[0].name, enrollment_number=found[0].enrollment)
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
        cue = bool(LIST_CUE.search(stripped))
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
            numbered = _BULLET_RE.match(stripped)
            name = clean_name(stripped[numbered.end() :]) if numbered else None
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
        names = [clean_name(item) for item in items]
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
