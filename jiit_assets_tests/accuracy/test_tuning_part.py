"""The rules keep what they achieve on the tuning part of the accuracy corpus (never the set-aside part,
which is scored only by ``make accuracy``)."""

from __future__ import annotations

from jiit_assets_tests.accuracy.score import same_company, score_mail, score_portal


def test_tuning_mails_offers_students_packages_and_types() -> None:
    score = score_mail("tuning")
    assert score.false_offers == 0 and score.missed_offers == 0, score.notes
    assert score.companies_right == score.true_offers, score.notes
    assert score.students_found == score.students_expected and score.students_extra == 0, score.notes
    assert score.roles_exact == score.roles_expected and score.roles_extra == 0, score.notes
    assert all(want == got for (want, got) in score.types), score.notes


def test_tuning_portal_notice_types_and_students() -> None:
    score = score_portal("tuning")
    assert all(want == got for (want, got) in score.types), score.notes
    assert score.students_found == score.students_expected, score.notes


def test_tuning_portal_companies_do_not_drop() -> None:
    """117 of 118 since round 5 (93 of 94 in round 4, 55 before the company rules were rewritten),
    scored with no stored job. The one left is a programme name the body never shortens ("TCS
    Digital" for TCS). It may rise, never fall."""
    score = score_portal("tuning")
    assert score.notices >= 94
    assert score.notices - score.companies_right <= 1, [n for n in score.notes if n.startswith("company")]


def test_reader_and_rules_company_compare_by_key_and_ignore_only_an_ampersand_company_suffix() -> None:
    assert same_company("Bain & Company", "Bain") and same_company("Kellton Tech Solutions", "Kellton Tech")
    assert same_company(None, "") and same_company(None, None)
    assert not same_company("Hindustan Unilever", "HUL") and not same_company("TCS", "TCS Digital")
    assert not same_company(None, "Alumni connect")


def test_an_initialism_is_the_one_alias_and_a_longer_name_that_starts_the_same_is_not() -> None:
    assert same_company("TCS", "Tata Consultancy Services") and same_company(
        "EY Global Delivery Services", "EY GDS"
    )
    assert same_company("IBM", "International Business Machines Corp.")
    assert not same_company("Tata", "Tata Steel") and not same_company("EY", "EY Global Delivery Services")
    assert not same_company("GDS", "EY Global Delivery Services") and not same_company("TCS", "Tech Mahindra")
    assert not same_company("HCL", "HCLTech") and not same_company("TCS", None)
