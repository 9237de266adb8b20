"""The shared range checks for dates and numbers from outside (``jiit_assets.lib.bounds``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from jiit_assets.lib.bounds import (
    BSON_INT_MAX,
    checked_datetime,
    checked_int,
    checked_number,
    datetime_from_epoch,
)
from jiit_assets.lib.text import IST, from_epoch_ms


def test_an_offset_that_overflows_is_unknown_with_a_reason() -> None:
    extreme = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59)))
    checked = checked_datetime(extreme, "Date header", tz=IST)
    assert checked.value is None and checked.problem is not None
    assert "9999-12-31T23:59:59-23:59" in checked.problem


@pytest.mark.parametrize(
    "moment",
    [datetime(1, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)],
)
def test_dates_outside_the_plausible_range_are_unknown(moment: datetime) -> None:
    checked = checked_datetime(moment)
    assert checked.value is None and "outside 1990-2200" in str(checked.problem)


def test_a_plausible_date_passes_in_the_asked_zone() -> None:
    checked = checked_datetime(datetime(2025, 8, 18, 4, 30, tzinfo=UTC), tz=IST)
    assert checked.problem is None and checked.value == datetime(2025, 8, 18, 10, 0, tzinfo=IST)
    assert checked_datetime(None).value is None and checked_datetime(None).problem is None
    assert checked_datetime(datetime(2025, 1, 1)).value == datetime(2025, 1, 1, tzinfo=UTC)  # naive is UTC


@pytest.mark.parametrize(
    "value", [253402300799000, 99999999999999999999, 10**400, float("inf"), float("nan"), "soon", True, -1]
)
def test_epoch_values_out_of_range_are_unknown(value: object) -> None:
    checked = datetime_from_epoch(value)
    assert checked.value is None and checked.problem
    assert from_epoch_ms(value) is None


def test_epoch_milliseconds_and_seconds() -> None:
    assert datetime_from_epoch(1752733860000).value == datetime(2025, 7, 17, 6, 31, tzinfo=UTC)
    assert datetime_from_epoch(1752733860, unit="s").value == datetime(2025, 7, 17, 6, 31, tzinfo=UTC)
    assert from_epoch_ms(1752733860000) == datetime(2025, 7, 17, 6, 31, tzinfo=UTC)


def test_numbers_must_be_finite_and_whole_numbers_fit_bson() -> None:
    assert checked_number("12.5").value == 12.5
    assert checked_number("1e400").value is None and checked_number(True).value is None
    assert checked_int(42).value == 42 and checked_int("42").value == 42
    assert checked_int(BSON_INT_MAX + 1).problem is not None
    assert checked_int("99999999999999999999").value is None
    assert checked_int(2.5).problem == "number 2.5 is not a whole number"
    assert checked_int(5, low=10).problem == "number 5 is outside 10-9223372036854775807"
