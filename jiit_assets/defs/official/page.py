"""The college website's Training & Placement section as typed data.

The page is hand-edited HTML: classes are reused, whitespace and non-breaking spaces are
everywhere, tables carry a title row and a header row before the figures. The parser is strict where
earlier scrapers of this page were weak: logo URLs are resolved with
``urljoin`` against the page URL, the table header row is found by its words instead of assumed to
be row 1, ``display:block`` is recognised whatever its spacing, and a page without the expected
structure is reported as *what is missing* rather than silently turned into an empty snapshot.

Pure functions: no I/O, no Dagster.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.metadata import md_inline

DEFAULT_HEADING = "Training & Placement"

# Names used in ``OfficialParse.missing``: what an operator reads when the page changed shape.
MISSING_DOCUMENT = "HTML document"
MISSING_TAB_CONTAINER = "tab container div.tab-containerr"
MISSING_TAB_LIST = "tab list ul.tab-ul"
MISSING_BATCH_BODIES = "batch bodies div.content"

_HEADER_WORDS = frozenset({"category", "average", "median"})
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class RecruiterLogo:
    src: str
    alt: str


@dataclass(frozen=True)
class PackageRow:
    category: str
    average: str
    median: str


@dataclass(frozen=True)
class Batch:
    batch_name: str
    is_active: bool
    placement_pointers: tuple[str, ...] = ()
    package_distribution: tuple[PackageRow, ...] = ()

    @property
    def has_figures(self) -> bool:
        return bool(self.placement_pointers or self.package_distribution)


@dataclass(frozen=True)
class OfficialSnapshot:
    """What the page says, in the stored shape (without timestamps and ids)."""

    main_heading: str | None
    intro_text: str
    recruiter_logos: tuple[RecruiterLogo, ...]
    batches: tuple[Batch, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape readers know: lists of plain dicts, with the keys the campus web app reads."""
        data = asdict(self)
        return json.loads(json.dumps(data))  # tuples -> lists, a plain JSON-compatible tree

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON (sorted keys, non-ASCII kept): equal pages, equal hashes."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def active_batch(self) -> Batch | None:
        return next((batch for batch in self.batches if batch.is_active), None)

    @property
    def is_empty(self) -> bool:
        """No batch carries a single pointer or table row: nothing worth storing."""
        return not any(batch.has_figures for batch in self.batches)


@dataclass(frozen=True)
class OfficialParse:
    """A parsed page: the snapshot, or the list of structural parts the page lacks."""

    snapshot: OfficialSnapshot | None
    missing: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.snapshot is not None and not self.missing


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_classes(element: etree._Element, wanted: str) -> bool:
    """Element carries every class of ``wanted`` (one word or several, in any order)."""
    return set(wanted.split()) <= _classes(element)


def _find_all(root: etree._Element, tag: str, classes: str) -> Iterator[etree._Element]:
    for element in root.iter(tag):
        if _has_classes(element, classes):
            yield element


def _find(root: etree._Element, tag: str, classes: str) -> etree._Element | None:
    return next(_find_all(root, tag, classes), None)


def clean_text(parts: Iterable[str]) -> str:
    """Text on one line: NBSP, tabs and newlines collapsed to single spaces."""
    return normalize_space(" ".join(parts)).replace("\n", " ")


def _text(element: etree._Element) -> str:
    return clean_text(element.itertext())


def _is_displayed(style: str | None) -> bool:
    """``display: block`` anywhere in the inline style, whatever the spacing or case."""
    for declaration in (style or "").split(";"):
        name, _, value = declaration.partition(":")
        if name.strip().lower() == "display":
            return value.replace("!important", "").strip().lower() == "block"
    return False


def _parse_document(markup: str) -> etree._Element | None:
    if not markup or not markup.strip():
        return None
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        try:
            root = lxml_html.document_fromstring(markup.encode("utf-8", "replace"))
        except (etree.ParserError, ValueError):
            return None
    for element in root.iter("script", "style", "noscript", "template"):
        element.drop_tree()
    return root


def _main_heading(root: etree._Element) -> str | None:
    headings = list(_find_all(root, "div", "annouc-heading line-three"))
    if not headings:
        return None
    # The class is reused for other announcement blocks; prefer the placement one.
    texts = [_text(heading) for heading in headings]
    return next((text for text in texts if "Training & Placement" in text), DEFAULT_HEADING)


def _intro_text(root: etree._Element, container: etree._Element | None) -> str:
    """The first ``div.text`` of the placement section (the nearest one around the tab container).

    The old scraper took the first ``div.text`` of the whole page, which on the real page can be a
    news ticker; searching outward from the batches finds the section's own introduction.
    """
    if container is not None:
        for ancestor in container.iterancestors():
            intro = _find(ancestor, "div", "text")
            if intro is not None:
                return _text(intro)
    intro = _find(root, "div", "text")
    return _text(intro) if intro is not None else ""


def _recruiter_logos(root: etree._Element, base_url: str) -> tuple[RecruiterLogo, ...]:
    logos: list[RecruiterLogo] = []
    seen: set[tuple[str, str]] = set()
    for block in _find_all(root, "div", "training-placement-logo"):
        for image in block.iter("img"):
            src = (image.get("src") or image.get("data-src") or "").strip()
            if not src or src.lower().startswith(("javascript:", "data:")):
                continue
            logo = RecruiterLogo(src=urljoin(base_url, src), alt=clean_text([image.get("alt") or ""]))
            if (logo.src, logo.alt) not in seen:
                seen.add((logo.src, logo.alt))
                logos.append(logo)
    return tuple(logos)


def _rows(table: etree._Element) -> list[list[str]]:
    """The table's own rows (nested tables ignored) as cell texts."""
    rows: list[list[str]] = []
    for row in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        rows.append([_text(cell) for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")])
    return rows


def _is_header(cells: list[str]) -> bool:
    words = {cell.strip().lower() for cell in cells}
    return len(words & _HEADER_WORDS) >= 2


def package_rows(rows: list[list[str]]) -> tuple[PackageRow, ...]:
    """Figures after the Category/Average/Median header (or after the first two rows when there is none).

    Rows with fewer than three cells, without a category, or repeating the header are skipped.
    """
    header_at = next((index for index, cells in enumerate(rows) if _is_header(cells)), None)
    body = rows[header_at + 1 :] if header_at is not None else rows[2:]
    result: list[PackageRow] = []
    for cells in body:
        if len(cells) < 3 or _is_header(cells):
            continue
        category, average, median = cells[0], cells[1], cells[2]
        if not _WORD.search(category) or not (_WORD.search(average) or _WORD.search(median)):
            continue
        result.append(PackageRow(category=category, average=average, median=median))
    return tuple(result)


def _batch(name: str, body: etree._Element) -> Batch:
    # The figures live in the scroll container; an edit that drops it keeps them in the body itself.
    container = _find(body, "div", "scroll_sec mCustomScrollbar")
    scope = container if container is not None else body
    pointers = tuple(text for item in scope.iter("li") if _WORD.search(text := _text(item)))
    table = next(scope.iter("table"), None)
    distribution = package_rows(_rows(table)) if table is not None else ()
    return Batch(
        batch_name=name,
        is_active=_is_displayed(body.get("style")),
        placement_pointers=pointers,
        package_distribution=distribution,
    )


def _batch_bodies(container: etree._Element) -> list[etree._Element]:
    """``div.content`` inside the tab container, outermost only.

    Usually direct children; a missing closing tag upstream makes the recovering parser nest them,
    so every ``div.content`` that is not inside another one counts.
    """
    bodies: list[etree._Element] = []
    for element in _find_all(container, "div", "content"):
        nested = False
        for ancestor in element.iterancestors():
            if ancestor is container:
                break
            if ancestor.tag == "div" and _has_classes(ancestor, "content"):
                nested = True
                break
        if not nested:
            bodies.append(element)
    return bodies


def parse_official_page(markup: str, base_url: str) -> OfficialParse:
    """Parse the Training & Placement page; ``missing`` names the structure the page lacks."""
    root = _parse_document(markup)
    if root is None:
        return OfficialParse(snapshot=None, missing=(MISSING_DOCUMENT,))
    missing: list[str] = []
    container = _find(root, "div", "tab-containerr")
    if container is None:
        missing.append(MISSING_TAB_CONTAINER)
    tab_list = _find(root, "ul", "tab-ul")
    if tab_list is None:
        missing.append(MISSING_TAB_LIST)
    bodies = _batch_bodies(container) if container is not None else []
    if not bodies:
        missing.append(MISSING_BATCH_BODIES)
    if missing:
        return OfficialParse(snapshot=None, missing=tuple(missing))

    assert tab_list is not None  # narrowed by the checks above
    names = [_text(item) for item in tab_list.iter("li")]
    batches = tuple(
        _batch(names[index] if index < len(names) and names[index] else f"Unknown Batch {index + 1}", body)
        for index, body in enumerate(bodies)
    )
    snapshot = OfficialSnapshot(
        main_heading=_main_heading(root),
        intro_text=_intro_text(root, container),
        recruiter_logos=_recruiter_logos(root, base_url),
        batches=batches,
    )
    return OfficialParse(snapshot=snapshot)


def distribution_markdown(batch: Batch) -> str:
    """The batch's package table as Markdown (for materialization metadata and the CLI)."""
    lines = [f"**{md_inline(batch.batch_name)}**", "", "| Category | Average | Median |", "|---|---|---|"]
    lines += [
        f"| {md_inline(r.category)} | {md_inline(r.average)} | {md_inline(r.median)} |"
        for r in batch.package_distribution
    ]
    if not batch.package_distribution:
        lines.append("| (no table) | | |")
    return "\n".join(lines)
