"""Parsing the college website's Training & Placement section (pure, no server)."""

from __future__ import annotations

import json

from jiit_assets.defs.official.page import (
    MISSING_BATCH_BODIES,
    MISSING_DOCUMENT,
    MISSING_TAB_CONTAINER,
    MISSING_TAB_LIST,
    parse_official_page,
)
from jiit_assets_tests.standins.college_site import page

BASE = "https://www.jiit.ac.in/"


def test_real_structure_parses_into_the_stored_shape() -> None:
    parse = parse_official_page(page("normal"), BASE)

    assert parse.ok and parse.missing == ()
    data = parse.snapshot.to_dict()  # type: ignore[union-attr]
    assert data["main_heading"] == "Training & Placement"
    # The section's own introduction (not the news ticker's div.text), whitespace and NBSP collapsed.
    assert data["intro_text"].startswith("JIIT has an excellent placement record. Leading companies from IT")
    assert (
        "Training & Placement Cell prepares students through mock interviews and aptitude"
        in data["intro_text"]
    )
    assert data["recruiter_logos"] == [
        {"src": "https://www.jiit.ac.in/uploads/recruiters/amazon.png", "alt": "Amazon"},
        {"src": "https://www.jiit.ac.in/uploads/recruiters/microsoft.png", "alt": "Microsoft"},
        {"src": "https://cdn.jiit.ac.in/logos/adobe.svg", "alt": "Adobe"},
        {"src": "https://www.jiit.ac.in/uploads/recruiters/goldman%20sachs.png", "alt": "Goldman Sachs"},
    ]
    assert [(b["batch_name"], b["is_active"]) for b in data["batches"]] == [
        ("2025 (Till date)", True),
        ("2024", False),
        ("2023", False),
    ]
    active = data["batches"][0]
    assert active["placement_pointers"] == [
        "650+ offers made by 210 companies",
        "Highest package: 1.02 Cr per annum",
        "120+ students with offers above 20 LPA",
    ]
    # Title and header rows skipped, the blank row and the one-cell footnote dropped.
    assert active["package_distribution"] == [
        {"category": "> 20 LPA", "average": "28.5 LPA", "median": "25 LPA"},
        {"category": "10 - 20 LPA", "average": "13.2 LPA", "median": "12 LPA"},
        {"category": "< 10 LPA", "average": "7.1 LPA", "median": "7 LPA"},
    ]
    # Unclosed <li> and a short table row in the 2023 tab are tolerated.
    assert data["batches"][2]["placement_pointers"] == ["1000+ offers", "Highest package 82 LPA"]
    assert data["batches"][2]["package_distribution"] == [
        {"category": "> 20 LPA", "average": "24 LPA", "median": "22 LPA"}
    ]
    # Nothing from scripts or styles leaks into the snapshot.
    assert "dataLayer" not in json.dumps(data)


def test_logos_resolve_against_the_page_url() -> None:
    parse = parse_official_page(page("normal"), "https://www.jiit.ac.in/placements/index.php")
    srcs = [logo.src for logo in parse.snapshot.recruiter_logos]  # type: ignore[union-attr]
    assert srcs[0] == "https://www.jiit.ac.in/placements/uploads/recruiters/amazon.png"
    assert srcs[1] == "https://www.jiit.ac.in/uploads/recruiters/microsoft.png"
    assert srcs[3] == "https://www.jiit.ac.in/uploads/recruiters/goldman%20sachs.png"


def test_content_hash_is_stable_and_tracks_content() -> None:
    first = parse_official_page(page("normal"), BASE).snapshot
    again = parse_official_page(page("normal"), BASE).snapshot
    changed = parse_official_page(page("changed"), BASE).snapshot
    assert first is not None and again is not None and changed is not None
    assert first.content_hash == again.content_hash
    assert len(first.content_hash) == 64
    assert changed.content_hash != first.content_hash
    assert changed.batches[0].package_distribution[0].average == "29.1 LPA"


def test_whitespace_only_edits_do_not_change_the_hash() -> None:
    reformatted = (
        page("normal")
        .replace("<li>2023</li>", "<li>\n   2023&nbsp;</li>")
        .replace("display: block;", "display:block")
    )
    assert (
        parse_official_page(reformatted, BASE).snapshot.content_hash  # type: ignore[union-attr]
        == parse_official_page(page("normal"), BASE).snapshot.content_hash  # type: ignore[union-attr]
    )


def test_active_flag_tolerates_spacing_and_case() -> None:
    markup = """<div class="tab-containerr"><ul class="tab-ul"><li>A</li><li>B</li><li>C</li></ul>
      <div class="content" style="DISPLAY :  Block ; color: red"><ul><li>one</li></ul></div>
      <div class="content" style="display: none;"><ul><li>two</li></ul></div>
      <div class="content"><ul><li>three</li></ul></div></div>"""
    snapshot = parse_official_page(markup, BASE).snapshot
    assert snapshot is not None
    assert [b.is_active for b in snapshot.batches] == [True, False, False]
    # Without the scroll container the pointers are still read from the body.
    assert [b.placement_pointers for b in snapshot.batches] == [("one",), ("two",), ("three",)]
    assert snapshot.main_heading is None and snapshot.intro_text == ""


def test_unnamed_body_and_headerless_table() -> None:
    markup = """<div class="tab-containerr"><ul class="tab-ul"><li>2025</li></ul>
      <div class="content" style="display: block;"><div class="scroll_sec mCustomScrollbar extra">
        <table><tr><td>Placement stats</td></tr><tr><td>x</td><td>y</td><td>z</td></tr>
        <tr><td>Dream</td><td>30 LPA</td><td>28 LPA</td></tr></table></div></div>
      <div class="content" style="display: none;"><div class="scroll_sec mCustomScrollbar">
        <ul><li>Pointer</li></ul></div></div></div>"""
    snapshot = parse_official_page(markup, BASE).snapshot
    assert snapshot is not None
    assert [b.batch_name for b in snapshot.batches] == ["2025", "Unknown Batch 2"]
    # No Category/Average/Median row: the first two rows are taken as title and header.
    assert [(r.category, r.average, r.median) for r in snapshot.batches[0].package_distribution] == [
        ("Dream", "30 LPA", "28 LPA")
    ]


def test_redesigned_page_names_what_is_missing() -> None:
    parse = parse_official_page(page("redesigned"), BASE)
    assert not parse.ok and parse.snapshot is None
    assert parse.missing == (MISSING_TAB_CONTAINER, MISSING_TAB_LIST, MISSING_BATCH_BODIES)


def test_partial_structure_names_only_the_missing_part() -> None:
    markup = '<div class="tab-containerr"><div class="content" style="display: block;">x</div></div>'
    assert parse_official_page(markup, BASE).missing == (MISSING_TAB_LIST,)


def test_empty_and_garbage_input() -> None:
    assert parse_official_page("", BASE).missing == (MISSING_DOCUMENT,)
    assert parse_official_page("   \n ", BASE).missing == (MISSING_DOCUMENT,)
    garbage = parse_official_page("<<<>>\x00</div></table><tr><td>", BASE)
    assert not garbage.ok and MISSING_TAB_LIST in garbage.missing


def test_page_without_figures_is_an_empty_snapshot() -> None:
    parse = parse_official_page(page("no_figures"), BASE)
    assert parse.ok and parse.snapshot is not None
    assert parse.snapshot.is_empty
    assert not parse_official_page(page("normal"), BASE).snapshot.is_empty  # type: ignore[union-attr]
