"""Placement statistics: hand-computed figures on realistic offers, pure and through the asset."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest

from jiit_assets.defs.analytics.assets import placement_stats
from jiit_assets.defs.analytics.stats import (
    TOTAL_ELIGIBLE,
    BranchStats,
    CompanyStats,
    branch_of,
    calculate_placement_stats,
    student_package,
)
from jiit_assets.lib.mongo import MongoIOManager, MongoResource
from jiit_assets.lib.schema import EMAIL_PLACEMENT_OFFERS, PLACEMENT_STATS
from jiit_assets.lib.text import IST

# Offers as the e-mail pipeline stores them (`_id` = company key, packages in LPA).
OFFERS: list[dict[str, Any]] = [
    {
        "_id": "acme",
        "company": "Acme Corp",
        "roles": [
            {"role": "SDE", "package": 12.0, "package_details": "12 LPA CTC"},
            {"role": "Analyst", "package": 8.0, "package_details": "8 LPA"},
        ],
        "students_selected": [
            {"name": "Asha Verma", "enrollment_number": "22103045", "role": "SDE", "package": 12.0},
            # Role matched ignoring case and spaces -> Analyst's 8 LPA.
            {"name": "Bala Rao", "enrollment_number": "22102010", "role": "analyst ", "package": None},
            # The same student listed twice by the same company: one offer.
            {"name": "Asha Verma", "enrollment_number": "22103045", "role": "SDE", "package": 12.0},
            # Sector-128 CSE; unknown role among two -> the best role package, 12 LPA.
            {"name": "Chen Li", "enrollment_number": "9922103100", "role": "Intern", "package": None},
        ],
        "number_of_offers": 3,
        "job_location": ["Noida"],
        "joining_date": "2026-07-01",
    },
    {
        "_id": "globex",
        "company": "Globex",
        "roles": [{"role": "Data Engineer", "package": 20.0, "package_details": "20 LPA"}],
        "students_selected": [
            # Asha's second offer: her best package becomes 20.
            {"name": "Asha Verma", "enrollment_number": "22103045", "role": "Data Engineer", "package": None},
            {"name": "Dev Sharma", "enrollment_number": "22104001", "role": "Data Engineer", "package": None},
            {"name": "Esha Kaur", "enrollment_number": "211B123", "role": None, "package": None},  # JUIT
            {"name": "Farid Khan", "enrollment_number": "24103001", "role": "Data Engineer"},  # M.Tech
        ],
        # The mail announced five offers but named four students.
        "number_of_offers": 5,
        "job_location": ["Bengaluru", "Noida"],
        "joining_date": None,
    },
    {
        "_id": "initech",
        "company": "Initech",
        "roles": [{"role": "QA", "package": None, "package_details": "TBD"}],
        "students_selected": [
            {
                "name": "Gita Nair",
                "enrollment_number": "22101005",
                "role": "QA",
                "package": None,
            },  # BT, no package
            {"name": "Hari Om", "enrollment_number": "", "role": "", "package": None},  # unknown branch
            {"name": "Ira Sen", "enrollment_number": "21803010", "role": "QA", "package": 6.5},  # Intg. MTech
        ],
        "number_of_offers": None,
        "job_location": [],
        "joining_date": None,
    },
    # Malformed documents are tolerated and contribute nothing.
    {"_id": "umbrella", "company": "Umbrella", "roles": [], "students_selected": []},
    {"_id": "broken", "company": "Broken Co", "roles": None, "students_selected": "see attachment"},
]


def _branch(stats_branches: tuple[BranchStats, ...], name: str) -> BranchStats:
    return next(branch for branch in stats_branches if branch.branch == name)


def test_overall_figures_match_hand_computation() -> None:
    overall = calculate_placement_stats(OFFERS).overall

    # Tracked students and their best packages: Asha 20, Bala 8, Chen 12, Dev 20, Gita none, Ira 6.5.
    assert overall.students_placed == 6
    # Rows of tracked students after de-duplication: Acme 3 + Globex 2 (Asha, Dev) + Initech 2 (Gita, Ira).
    assert overall.total_offers == 7
    assert overall.companies == 3  # Umbrella and Broken Co name nobody
    assert overall.average_package == 13.3  # (20 + 8 + 12 + 20 + 6.5) / 5
    assert overall.median_package == 12.0  # 6.5, 8, [12], 20, 20
    assert overall.highest_package == 20.0
    assert overall.total_eligible_students == TOTAL_ELIGIBLE == 1153
    assert overall.placement_percentage == 0.52  # 6 / 1153 * 100 = 0.5204
    assert overall.excluded_students == 3  # Esha (JUIT), Farid (M.Tech), Hari (no enrollment)


def test_company_figures_match_hand_computation() -> None:
    companies = calculate_placement_stats(OFFERS).companies

    assert companies == (
        CompanyStats("Globex", 5, 4, ("Data Engineer",), 20.0, 20.0, 20.0),
        # Packages 12, 8, 12: average 32 / 3 = 10.67, median 12.
        CompanyStats("Acme Corp", 3, 3, ("Analyst", "Intern", "SDE"), 10.67, 12.0, 12.0),
        CompanyStats("Initech", 3, 3, ("QA",), 6.5, 6.5, 6.5),
    )


def test_branch_figures_match_hand_computation() -> None:
    branches = calculate_placement_stats(OFFERS).branches

    assert [b.branch for b in branches] == ["CSE", "ECE", "IT", "BT", "Intg. MTech", "MTech", "JUIT", "Other"]
    # CSE: Asha (12 at Acme, 20 at Globex) and Chen (12): 3 offers, 2 students, best packages 20 and 12.
    assert _branch(branches, "CSE") == BranchStats("CSE", 3, 2, 612, 16.0, 16.0, 20.0, 0.33)
    assert _branch(branches, "ECE") == BranchStats("ECE", 1, 1, 387, 8.0, 8.0, 8.0, 0.26)
    assert _branch(branches, "IT") == BranchStats("IT", 1, 1, 66, 20.0, 20.0, 20.0, 1.52)
    assert _branch(branches, "BT") == BranchStats("BT", 1, 1, 47, None, None, None, 2.13)
    assert _branch(branches, "Intg. MTech") == BranchStats("Intg. MTech", 1, 1, 41, 6.5, 6.5, 6.5, 2.44)
    assert _branch(branches, "JUIT") == BranchStats("JUIT", 1, 1, None, 20.0, 20.0, 20.0, None)
    assert _branch(branches, "MTech") == BranchStats("MTech", 1, 1, None, 20.0, 20.0, 20.0, None)
    assert _branch(branches, "Other") == BranchStats("Other", 1, 1, None, None, None, None, None)


@pytest.mark.parametrize(
    ("enrollment", "branch"),
    [
        ("22103000", "CSE"),
        ("22103999", "CSE"),
        ("22104000", "IT"),  # end of CSE is exclusive
        ("9922102500", "ECE"),
        ("22101001", "BT"),
        ("21802007", "Intg. MTech"),
        (" 22102 010 ", "ECE"),  # stray spaces
        ("221030450", "JUIT"),  # nine digits
        ("JU221045", "JUIT"),
        ("24103001", "MTech"),
        ("23103045", "Other"),  # another intake
        ("", "Other"),
        (None, "Other"),
        ("n/a", "Other"),  # a placeholder, not a JUIT number
        ("--", "Other"),
    ],
)
def test_branch_of(enrollment: str | None, branch: str) -> None:
    assert branch_of(enrollment) == branch


def test_student_package_rules() -> None:
    roles: list[dict[str, Any]] = [{"role": "SDE", "package": 12.0}, {"role": "Analyst", "package": "8"}]
    assert student_package({"package": 15.0, "role": "SDE"}, roles) == 15.0
    assert student_package({"package": 0, "role": "Analyst"}, roles) == 8.0  # zero is "unknown"
    assert student_package({"role": "  sde "}, roles) == 12.0
    assert student_package({"role": "Intern"}, roles) == 12.0  # best of several
    assert student_package({"role": "Intern"}, [{"role": "Only", "package": 9.5}]) == 9.5
    assert student_package({"package": "abc"}, [{"role": "X", "package": None}]) is None
    assert student_package({}, []) is None


def test_empty_input_gives_zeros() -> None:
    stats = calculate_placement_stats([])
    assert stats.companies == () and stats.branches == ()
    assert stats.overall.students_placed == 0 and stats.overall.placement_percentage == 0.0
    assert stats.overall.average_package is None


def _materialize(mongo: MongoResource) -> dg.ExecuteInProcessResult:
    upstream = dg.AssetSpec(dg.AssetKey(EMAIL_PLACEMENT_OFFERS))
    return dg.materialize(
        [upstream, placement_stats],
        resources={"io_manager": MongoIOManager(mongo=mongo), "mongo": mongo},
        selection=[placement_stats],
    )


def test_asset_reads_offers_through_the_io_manager_and_stores_latest_and_daily(mongo: MongoResource) -> None:
    mongo.collection(EMAIL_PLACEMENT_OFFERS).insert_many([dict(offer) for offer in OFFERS])

    result = _materialize(mongo)

    assert result.success
    (materialization,) = result.asset_materializations_for_node("placement_stats")
    meta = {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}
    assert meta["students_placed"] == 6 and meta["companies"] == 3 and meta["offer_documents"] == 5
    assert "| Acme Corp | 3 | 3 | Analyst, Intern, SDE | 10.67 | 12 | 12 |" in str(meta["per_company"])
    assert "| CSE | 2 | 612 | 0.33% | 3 | 16 | 16 | 20 |" in str(meta["per_branch"])
    assert "| Placement percentage (of 1153) | 0.52% |" in str(meta["overall"])

    stored = {doc["_id"]: doc for doc in mongo.collection(PLACEMENT_STATS).find({})}
    latest = stored.pop("latest")
    ((day, daily),) = stored.items()
    assert day == latest["computed_at"].astimezone(IST).date().isoformat()
    assert daily["overall"] == latest["overall"]
    assert latest["overall"]["students_placed"] == 6 and latest["overall"]["median_package"] == 12.0
    assert latest["companies"][0] == {
        "company": "Globex",
        "offers": 5,
        "students": 4,
        "roles": ["Data Engineer"],
        "average_package": 20.0,
        "median_package": 20.0,
        "highest_package": 20.0,
    }
    assert [branch["branch"] for branch in latest["branches"]][:2] == ["CSE", "ECE"]

    # A new offer arrives: the same documents are updated, not duplicated.
    mongo.collection(EMAIL_PLACEMENT_OFFERS).insert_one(
        {
            "_id": "hooli",
            "company": "Hooli",
            "roles": [{"role": "SDE", "package": 30.0}],
            "students_selected": [{"name": "Jai", "enrollment_number": "22103500", "role": "SDE"}],
            "number_of_offers": 1,
        }
    )
    assert _materialize(mongo).success
    assert mongo.collection(PLACEMENT_STATS).count_documents({}) == 2
    refreshed = mongo.collection(PLACEMENT_STATS).find_one({"_id": "latest"})
    assert refreshed is not None
    assert refreshed["overall"]["students_placed"] == 7 and refreshed["overall"]["highest_package"] == 30.0
