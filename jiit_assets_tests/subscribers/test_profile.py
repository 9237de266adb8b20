"""profile.py: every setting parsed from what students type, bad values refused in plain words."""

from __future__ import annotations

import pytest

from jiit_assets.defs.subscribers.profile import (
    DigestMode,
    Profile,
    ProfileError,
    normalize_enrollment,
    parse_settings,
)
from jiit_assets.lib.models import NoticeType


def test_every_field_with_the_names_students_type():
    profile = parse_settings(
        {
            "programme": " B.Tech   CSE ",
            "year": "2027",
            "enrolment": "221 030-45",
            "types": "Job Posting, shortlisting",
            "ctc": "7.5 LPA",
            "mute": "Acme Corp Pvt. Ltd., Globex",
            "digest": "Daily",
            "digest_hour": "21:00",
            "quiet_hours": "on",
            "reminders": "no",
        }
    )
    assert profile == Profile(
        branch="B.Tech CSE",
        batch=2027,
        enrollment="22103045",
        categories=frozenset({NoticeType.JOB_POSTING, NoticeType.SHORTLISTING}),
        min_ctc_lpa=7.5,
        muted_companies=frozenset({"acme", "globex"}),
        digest=DigestMode.DAILY,
        digest_hour=21,
        quiet_hours=True,
        reminders=False,
    )


def test_settings_apply_over_a_base_and_any_clears():
    base = parse_settings({"branch": "ECE", "batch": 2026, "min_ctc": 6})
    changed = parse_settings({"batch": "any", "min_ctc": "0"}, base=base)
    assert changed == Profile(branch="ECE")
    assert parse_settings({"categories": "all"}).categories == frozenset()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"batch": "twenty"}, "batch: give your graduation year"),
        ({"batch": "1999"}, "batch: 1999 is not a graduation year between 2000 and 2100."),
        ({"enrollment": "12ab"}, "enrollment: give your enrollment number, 8 to 12 digits"),
        ({"branch": "<script>"}, "branch: use letters and digits only"),
        ({"categories": "jobs,webinar"}, "categories: unknown jobs; choose from"),
        ({"min_ctc": "-3"}, "min_ctc: -3 LPA is out of range"),
        ({"min_ctc": "lots"}, "min_ctc: give a number of lakhs per annum"),
        ({"digest": "weekly"}, "digest: choose instant, daily or both."),
        ({"digest_hour": "25"}, "digest_hour: give an hour from 0 to 23"),
        ({"quiet_hours": "maybe"}, "quiet_hours: say on or off."),
        ({"colour": "blue"}, "colour: unknown setting; use one of"),
        ({"mute": ",".join(f"company {i}" for i in range(51))}, "muted_companies: at most 50 companies."),
    ],
)
def test_bad_values_say_what_is_wrong(settings, message):
    with pytest.raises(ProfileError) as raised:
        parse_settings(settings)
    assert str(raised.value).startswith(message)


def test_documents_round_trip_and_damaged_ones_fall_back():
    profile = parse_settings({"branch": "IT", "categories": "webinar", "mute": "Acme"})
    assert Profile.from_document(profile.to_document()) == profile
    assert Profile.from_document(None) == Profile()
    assert Profile.from_document({"batch": "not a year"}) == Profile()
    assert Profile.from_document({"batch": 2027, "unknown": 1}) == Profile(batch=2027)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22103045", "22103045"),
        (" 9922-103-111 ", "9922103111"),
        ("2210304", None),
        ("22103045x", None),
        ("", None),
    ],
)
def test_enrollment_numbers_are_normalised(text, expected):
    assert normalize_enrollment(text) == expected
