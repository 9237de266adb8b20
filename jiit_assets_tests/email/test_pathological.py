"""Hostile bodies built to make regular expressions backtrack are read like any other mail.

The regression this guards: an 80 KB body of "(" + "a+" * 40000 once took minutes in the offer
rules. Each parse here must simply finish (pytest-timeout bounds a hang); how long each takes is
measured in `make bench`, not asserted.
"""

from __future__ import annotations

import pytest

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.message import decode_email
from jiit_assets.defs.notices.rules import superset_notice_content
from jiit_assets_tests.email.pathological import as_mail, as_portal_notice, pathological_bodies

CASES = list(pathological_bodies())


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "body"), CASES, ids=[name for name, _ in CASES])
def test_a_pathological_mail_is_classified(name: str, body: str) -> None:
    decision = classify_email(decode_email(as_mail(name, body)))
    assert decision.outcome in {"offer", "notice", "skipped"}
    assert decision.reason


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("name", "body"), CASES, ids=[name for name, _ in CASES])
def test_a_pathological_portal_notice_is_read(name: str, body: str) -> None:
    content = superset_notice_content(as_portal_notice(name, body), [])
    assert content.title == name
