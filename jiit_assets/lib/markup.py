"""HTML to readable text, for notices, job descriptions, e-mails and web pages.

Input is untrusted: broken markup, scripts, deeply nested tables, megabytes of text. Everything
here is a pure function over strings; lxml's recovering parser does the heavy lifting.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

# Elements whose text must never reach a reader.
_DROP = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
_BLOCKS = frozenset(
    "address article aside blockquote dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section ul caption center".split()
)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_space(text: str) -> str:
    """Collapse runs of spaces (including non-breaking and narrow spaces) inside each line."""
    text = _ZERO_WIDTH.sub("", text)
    lines = (
        _SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def parse_fragment(markup: str) -> etree._Element | None:
    """A recovering parse of an HTML document or fragment; None when there is nothing to parse."""
    if not markup or not markup.strip():
        return None
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        try:
            root = lxml_html.fromstring(markup.encode("utf-8", "replace"))
        except (etree.ParserError, ValueError):
            return None
    for element in root.iter(*_DROP):
        element.drop_tree()
    return root


def _cell_text(cell: etree._Element) -> str:
    return normalize_space(" ".join(cell.itertext())).replace("\n", " ")


def table_rows(markup: str | etree._Element) -> list[list[str]]:
    """Every row of every table as its cell texts (empty rows dropped); nested tables flattened."""
    root = parse_fragment(markup) if isinstance(markup, str) else markup
    if root is None:
        return []
    rows: list[list[str]] = []
    for row in root.iter("tr"):
        cells = [_cell_text(cell) for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
        if any(cells):
            rows.append(cells)
    return rows


def table_grid(table: etree._Element) -> list[list[str]]:
    """The table as a grid, with rowspan and colspan cells repeated in every slot they cover."""
    grid: list[list[str]] = []
    carried: dict[tuple[int, int], str] = {}  # (row, column) -> text of a rowspan cell from above
    rows = [row for row in table.iter("tr") if owning_table(row) is table]
    for row_index, row in enumerate(rows):
        cells = [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")]
        out: list[str] = []
        column = 0
        for cell in cells:
            while (row_index, column) in carried:
                out.append(carried.pop((row_index, column)))
                column += 1
            text = _cell_text(cell)
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


def owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _render(element: etree._Element, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        out.append("\n")
    elif tag == "table":
        out.append("\n")
        # Merged cells ("Software Engineer" spanning three students' rows) are repeated in every row
        # they cover, so each rendered row stands on its own.
        merged = any(_span(cell.get("rowspan")) > 1 for cell in element.iter("td", "th"))
        for cells in table_grid(element) if merged else table_rows(element):
            out.append(" | ".join(cell for cell in cells if cell) + "\n")
        out.append("\n")
        if element.tail:
            out.append(element.tail)
        return
    elif tag == "li":
        out.append("\n- ")
    elif tag in _BLOCKS or tag == "tr":
        out.append("\n")
    if element.text and tag:
        out.append(element.text)
    for child in element:
        _render(child, out)
    if tag in _BLOCKS:
        out.append("\n")
    if element.tail:
        out.append(element.tail)


def html_to_text(markup: str) -> str:
    """Readable plain text: paragraphs on their own lines, list items as "- ", table rows as "a | b"."""
    root = parse_fragment(markup)
    if root is None:
        return ""
    out: list[str] = []
    _render(root, out)
    return normalize_space("".join(out))
