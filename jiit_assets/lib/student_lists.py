"""Students listed in a portal notice: HTML tables and lists of lines, one student per row or line.

Tables are read by their header (or, without one, by what the cells look like), with rowspan and
colspan expanded; a total or caption row is not a student. Lines use the shared line parser
(``students``); comma lists and bare numbered names count only after a cue ("the following
students", "shortlisted:").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from jiit_assets.lib.markup import html_to_text, normalize_space, owning_table, parse_fragment, table_grid
from jiit_assets.lib.models import Student
from jiit_assets.lib.students import LIST_CUE, after_bullet, clean_enrollment, clean_name, students_in_line

_NAME_HEADER = re.compile(r"\b(?:student'?s?|candidate'?s?|full)?\s{0,3}name\b", re.IGNORECASE)
_ENROLLMENT_HEADER = re.compile(
    r"\b(?:enrol?l?ment|enrl|enroll|roll|registration|reg|admission|student id|jiit id|university id|uid)\b",
    re.IGNORECASE,
)
_OTHER_NAME_HEADER = re.compile(
    r"\b(?:father|mother|guardian|company|college|institute|branch|course)\b", re.I
)


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
            numbered = after_bullet(stripped)
            name = clean_name(numbered) if numbered is not None else None
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
        if owning_table(table) is not None:
            continue  # nested tables are read as part of their outer table
        found = _students_from_grid(table_grid(table))
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
