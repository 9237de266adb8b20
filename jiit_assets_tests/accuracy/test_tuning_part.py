"""The rules keep what they achieve on the tuning part of the accuracy corpus (never the set-aside part,
which is scored only by ``make accuracy``)."""

from __future__ import annotations

from jiit_assets_tests.accuracy.score import score_mail, score_portal


def test_tuning_mails_offers_students_packages_and_types() -> None:
    score = score_mail("tuning")
    assert score.false_offers == 0 and score.missed_offers == 0, score.notes
    assert score.companies_right == score.true_offers, score.notes
    assert score.students_found == score.students_expected and score.students_extra == 0, score.notes
    assert score.roles_exact == score.roles_expected and score.roles_extra == 0, score.notes
    assert all(want == got for (want, got) in score.types), score.notes


def test_tuning_portal_notice_types_and_students() -> None:
    types, expected, found, notes = score_portal("tuning")
    assert all(want == got for (want, got) in types), notes
    assert found == expected, notes
