"""Job structuring and notice parsing on the stand-in's realistic portal payloads (pure, no I/O)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from jiit_assets.defs.superset.portal_jobs import MalformedPayload, structure_job
from jiit_assets.defs.superset.portal_notices import merge_first_wins, parse_raw_notice

REFERENCE_FIELDS = {
    "id",
    "job_profile",
    "company",
    "placement_category_code",
    "placement_category",
    "createdAt",
    "deadline",
    "eligibility_marks",
    "eligibility_courses",
    "allowed_genders",
    "job_description",
    "location",
    "package",
    "annum_months",
    "package_info",
    "required_skills",
    "hiring_flow",
    "placement_type",
    "documents",
}


def _fixture(name: str) -> Any:
    path = resources.files("jiit_assets_tests.standins").joinpath("data", "superset", name)
    return json.loads(path.read_text("utf-8"))


JOBS = {item["listing"]["jobProfileIdentifier"]: item for item in _fixture("jobs.json")}


def structured(job_id: str, with_urls: bool = True) -> dict[str, Any]:
    item = JOBS[job_id]
    urls = item["document_urls"] if with_urls else None
    return structure_job(item["listing"], item["details"], urls).to_document()


def test_every_fixture_job_structures_with_the_reference_field_names() -> None:
    for job_id in JOBS:
        document = structured(job_id)
        assert set(document) >= REFERENCE_FIELDS, job_id
        assert document["_id"] == document["id"] == job_id
        assert document["enriched"] is True
        json.dumps(document)  # storable and printable as is


def test_a_typical_job() -> None:
    job = structured("jp-acme-sde")
    assert (job["company"], job["job_profile"], job["company_key"]) == (
        "Acme Corp",
        "Software Development Engineer",
        "acme",
    )
    assert (job["placement_category_code"], job["placement_category"]) == (1, "High")
    assert job["eligibility_marks"] == [{"level": "UG", "criteria": 6.5}, {"level": "XII", "criteria": 60}]
    assert job["eligibility_courses"] == [
        "B.Tech - Computer Science and Engineering",
        "B.Tech - Information Technology",
    ]
    assert job["allowed_genders"] == ["Female", "Male", "Other"]
    assert job["hiring_flow"] == ["Online Test", "Technical Interview", "HR Interview"]  # sorted by sequence
    assert (job["package"], job["annum_months"], job["location"]) == (1200000, "ANNUM", "Noida")
    assert "<table" in job["package_info"]  # raw HTML, as the web app expects
    assert job["documents"] == [
        {
            "name": "Acme_JD_2026.pdf",
            "identifier": "doc-acme-jd",
            "url": "https://superset-docs.example.invalid/jp-acme-sde/doc-acme-jd?X-Amz-Signature=abc123",
        }
    ]
    assert "Work with product & design teams" in job["job_description"]
    assert "<" not in job["job_description"]
    assert job["createdAt"] < job["deadline"]
    assert job["placement_type"] == "FULL_TIME"


def test_null_eligibility_values_take_the_level_default_instead_of_dropping_the_job() -> None:
    job = structured("jp-quill-null")
    assert job["eligibility_marks"] == [
        {"level": "UG", "criteria": 5},
        {"level": "XII", "criteria": 50},
        {"level": "X", "criteria": 60},
    ]


def test_non_contiguous_and_missing_stage_sequences_keep_every_stage_in_order() -> None:
    assert structured("jp-kestrel-gaps")["hiring_flow"] == [
        "Resume Shortlisting",
        "Coding Test",
        "Technical Interview",
        "HR Discussion",
    ]
    # Two stages sharing a sequence keep the portal's order; a string sequence goes last.
    assert structured("jp-cobalt-ece")["hiring_flow"] == ["Aptitude Test", "Group Discussion", "Interview"]
    assert structured("jp-aurora-weird")["hiring_flow"] == ["Portfolio Review", "Interview"]
    assert structured("jp-lumen-nopackage")["hiring_flow"] == []


def test_package_fallbacks() -> None:
    assert structured("jp-orbit-embedded")["package"] == 700000  # ctcMin
    ctc_max_only = structured("jp-vertex-ctcmax")  # the original's dead ctcMax branch
    assert (ctc_max_only["package"], ctc_max_only["annum_months"]) == (60000, "MONTH")
    assert structured("jp-lumen-nopackage")["package"] == 0  # not published
    assert structured("jp-aurora-weird")["package"] == 0  # negative package, zero ctcMin
    assert structured("jp-meridian-sde2")["package"] == 1650000  # numeric string
    stipend = structured("jp-harbor-stipend")
    assert (stipend["package"], stipend["annum_months"], stipend["placement_type"]) == (
        35000,
        "MONTH",
        "INTERNSHIP",
    )


def test_location_falls_back_to_the_top_level_field_then_unknown() -> None:
    assert structured("jp-harbor-stipend")["location"] == "Gurugram"
    assert structured("jp-pinnacle-cloud")["location"] == "Unknown"


def test_categories_courses_genders_and_description_rules() -> None:
    assert structured("jp-granite-civil")["placement_category"] == "Middle Tier (custom)"
    assert structured("jp-aurora-weird")["placement_category"] == "Unknown"
    assert structured("jp-acme-intern")["placement_category"] == "Internship"
    assert structured("jp-nimbus-analyst")["placement_category"] == "Offer is more than 4.6 lacs"
    assert (
        "Unknown - Electronics and Computer Engineering"
        in structured("jp-saffron-consult")["eligibility_courses"]
    )
    assert structured("jp-pinnacle-cloud")["allowed_genders"] == ["Female"]
    # No job description: the invitation text alone is not used (reference rule).
    assert structured("jp-saffron-consult")["job_description"] == ""
    meridian = structured("jp-meridian-sde2")["job_description"]
    assert meridian.endswith("Note: Students already placed in High category are not eligible.")


def test_documents_without_fetched_urls_stay_null() -> None:
    documents = structured("jp-tessera-vlsi", with_urls=False)["documents"]
    assert [d["identifier"] for d in documents] == ["doc-tessera-jd", "doc-tessera-bond"]
    assert all(d["url"] is None for d in documents)


def test_a_job_from_its_listing_only() -> None:
    job = structure_job(JOBS["jp-acme-qa"]["listing"], enrichment_error="details: not found").to_document()
    assert (job["location"], job["package"], job["package_info"], job["placement_type"]) == (
        "Unknown",
        0,
        "",
        None,
    )
    assert job["hiring_flow"] == job["eligibility_marks"] == job["documents"] == []
    assert (job["enriched"], job["enrichment_error"]) == (False, "details: not found")


@pytest.mark.parametrize("listing", [[], "job", {"jobProfileTitle": "SDE"}, {"jobProfileIdentifier": "  "}])
def test_malformed_listings_are_rejected_clearly(listing: Any) -> None:
    with pytest.raises(MalformedPayload):
        structure_job(listing)


def test_parse_raw_notice_maps_the_portal_fields() -> None:
    raw = _fixture("notices.json")[0]["notice"]
    notice = parse_raw_notice(raw)
    assert notice.identifier == raw["identifier"]
    assert notice.title == raw["title"] and notice.content == raw["content"]
    assert notice.author == "T&P Cell JIIT"
    assert notice.published_at == datetime.fromtimestamp(raw["publishedAt"] / 1000, tz=UTC)
    assert notice.last_modified_at is not None and notice.last_modified_at.tzinfo is not None


def test_parse_raw_notice_defaults_and_falls_back_to_published_time() -> None:
    notice = parse_raw_notice({"identifier": 42, "publishedAt": 1752733800000})
    assert (notice.identifier, notice.title, notice.content, notice.author) == ("42", "Notice", "", "")
    assert notice.last_modified_at == notice.published_at


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (["not", "an", "object"], "JSON object"),
        ({"title": "No id"}, "no identifier"),
        ({"identifier": True}, "no identifier"),
        ({"identifier": "n-1", "content": {"html": "<p>x</p>"}}, "content must be a string"),
    ],
)
def test_malformed_notices_have_a_reason(raw: Any, reason: str) -> None:
    with pytest.raises(MalformedPayload, match=reason):
        parse_raw_notice(raw)


def test_merge_keeps_the_first_occurrence_and_who_saw_it() -> None:
    cse = [{"identifier": "a", "title": "from CSE"}, {"identifier": "b"}, {"title": "no id"}]
    ece = [{"identifier": "a", "title": "from ECE"}, {"identifier": "c"}, "garbage"]
    merged, seen_by = merge_first_wins([cse, ece], "identifier")  # type: ignore[list-item]
    assert [entry["identifier"] for entry in merged] == ["a", "b", "c"]
    assert merged[0]["title"] == "from CSE"
    assert seen_by == {"a": [0, 1], "b": [0], "c": [1]}
