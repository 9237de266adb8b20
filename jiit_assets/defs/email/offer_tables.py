"""Tables in an offer mail: "a | b | c" rows (HTML tables), tab-separated rows, and plain-text tables
under a "CTC (LPA)" header, with the columns found by their header words in any order.

Every pattern is bounded and works on one line at a time.
"""

from __future__ import annotations

import re

# Checked in this order: "Candidate ID" / "Student ID" is the enrollment column, not the name.
_HEADER_WORDS = {
    "enrollment": re.compile(r"(?i)\b(?:enrol+(?:ment)?|enrl|enr|roll|reg(?:istration)?|id|admission|uid)\b"),
    "name": re.compile(r"(?i)\b(?:name|student|candidate)\b"),
    "status": re.compile(r"(?i)\b(?:status|stage|result|outcome)\b"),
    "role": re.compile(r"(?i)\b(?:role|profile|position|designation|job)\b"),
    "package": re.compile(r"(?i)\b(?:ctc|package|salary|stipend|compensation|lpa)\b"),
    "company": re.compile(r"(?i)\b(?:company|organi[sz]ation)\b"),
    "branch": re.compile(r"(?i)\b(?:branch|programme|program|course|dept|department|batch)\b"),
}
# A status cell that says the student has the offer ("Offer Released", "Selected"), and one that
# says otherwise ("Interview - On hold", "Not selected").
SELECTED_STATUS = re.compile(r"(?i)\b(?:offer|offered|selected|hired|placed|accepted|joined|converted)\b")
NOT_SELECTED_STATUS = re.compile(
    r"(?i)\b(?:not\s+selected|rejected|on\s+hold|pending|awaited|declined|withdrawn|dropped)\b"
)


def table_blocks(body: str) -> list[tuple[dict[str, int], list[list[str]]]]:
    """Tables rendered as "a | b | c" lines (HTML tables) or tab-separated lines, with a header row."""
    blocks: list[tuple[dict[str, int], list[list[str]]]] = []
    lines = body.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        separator = " | " if " | " in line else ("\t" if "\t" in line else None)
        columns = _header(line, separator) if separator else {}
        if separator is None or not ({"name", "role"} & set(columns)) or len(columns) < 2:
            index += 1
            continue
        rows: list[list[str]] = []
        index += 1
        while index < len(lines) and separator in lines[index]:
            rows.append([cell.strip() for cell in lines[index].split(separator)])
            index += 1
        blocks.append((columns, rows))
    return blocks


# A plain-text table whose header says the package column is in lakhs ("S.No. Name Enrollment No.
# Branch CTC (LPA)"): its rows end in a bare figure ("1 Rahul Verma 22103001 CSE 12").
_LPA_HEADER = re.compile(
    r"(?i)\b(?:ctc|package|salary|compensation|pay)\s{0,3}[(\[]?\s{0,3}(?:in\s+)?(?:lpa|lakhs?|lacs?)\b"
)
_TRAILING_FIGURE = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{1,2})?)\s{0,3}$")


def lpa_column(body: str) -> dict[str, float]:
    """Student rows (with an enrollment number) under such a header, each with its figure in LPA."""
    figures: dict[str, float] = {}
    under = False
    rows = 0  # rows read under the current header; a blank line after them ends the table
    for line in body[:30_000].split("\n"):
        stripped = line.strip()
        if _LPA_HEADER.search(stripped) and _HEADER_WORDS["name"].search(stripped):
            under, rows = not re.search(r"\d{5}", stripped), 0
            continue
        match = _TRAILING_FIGURE.search(stripped) if under else None
        if match and re.search(r"\d{5}", stripped) and float(match.group(1)) > 0:
            figures[stripped] = float(match.group(1))
            rows += 1
        elif not stripped and rows:
            under = False
    return figures


def _header(line: str, separator: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    cells = [cell.strip() for cell in line.split(separator)]
    if any(re.search(r":\s{0,3}[^\s:]", cell) for cell in cells):
        return {}  # "Name: Vedika Mishra | Enrl: 22103611 | CTC: 8 LPA" is a labelled row, not a header
    for position, cell in enumerate(cells):
        if len(cell) > 40 or re.search(r"\d{5}", cell):
            continue
        for column, pattern in _HEADER_WORDS.items():
            if column not in columns and pattern.search(cell):
                columns[column] = position
                break
    return columns
