"""The SuperSet client over real HTTP to the stand-in: login, retries, errors, secrets."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jiit_assets.defs.superset.accounts import (
    SupersetAuthError,
    SupersetConfigError,
    SupersetUnavailable,
    encrypt_password,
    load_public_key,
    mask_email,
    parse_credentials,
)
from jiit_assets.defs.superset.portal_http import DEFAULT_PUBLIC_KEY_PEM
from jiit_assets.defs.superset.resources import SupersetResource
from jiit_assets_tests.fixtures.superset import make_superset_resource
from jiit_assets_tests.standins.superset import SupersetStandin


def test_mask_email_keeps_enough_to_tell_accounts_apart() -> None:
    assert mask_email("22103045@mail.jiit.ac.in") == "22****45@mail.jiit.ac.in"
    assert mask_email("9922103123@mail.jiit.ac.in") == "99****23@mail.jiit.ac.in"
    assert mask_email("ab@x.in") == "a***@x.in"


def test_the_portal_key_loads_and_encryption_is_pkcs1v15_in_standard_base64() -> None:
    key = load_public_key(DEFAULT_PUBLIC_KEY_PEM)
    assert key.key_size == 1024
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    encrypted = encrypt_password("p@ss+word/ü", private.public_key())
    raw = base64.b64decode(encrypted, validate=True)  # standard alphabet, padded
    assert len(raw) == 128
    assert private.decrypt(raw, padding.PKCS1v15()).decode("utf-8") == "p@ss+word/ü"
    assert encrypt_password("same", private.public_key()) != encrypt_password("same", private.public_key())


@pytest.mark.parametrize(
    "raw",
    [
        '[{"email": "22103045@mail.jiit.ac.in", "password": "Hunter2-secret"',
        '[{"email": "22103045@mail.jiit.ac.in", "pass": "Hunter2-secret"}]',
        '"Hunter2-secret"',
    ],
)
def test_bad_credentials_json_is_reported_without_quoting_it(raw: str) -> None:
    with pytest.raises(SupersetConfigError) as error:
        parse_credentials(raw)
    assert "Hunter2-secret" not in str(error.value)
    assert "22103045" not in str(error.value)


def test_credentials_parse_and_duplicates_collapse() -> None:
    raw = json.dumps([{"email": "a@x.in", "password": "1"}, {"email": " A@x.in ", "password": "2"}])
    accounts = parse_credentials(raw)
    assert [a.email for a in accounts] == ["a@x.in"]
    assert "1" not in repr(accounts[0]).replace("a@x.in", "")
    assert parse_credentials("") == [] and parse_credentials("  ") == []
    assert not SupersetResource(credentials="[]").is_configured


def test_login_is_tolerant_of_missing_profile_fields(superset_standin: SupersetStandin) -> None:
    # The stand-in answers with nulls and without enableMfa, which the original's strict model rejected.
    with make_superset_resource(superset_standin).open() as client:
        session = client.portal.login(client.accounts[0])
    assert session.uuid == superset_standin.accounts_data[0].uuid
    assert session.name == "Asha Verma"
    assert session.session_key not in repr(session)


def test_wrong_password_fails_fast_with_a_masked_account(superset_standin: SupersetStandin) -> None:
    email = superset_standin.accounts[0]["email"]
    resource = make_superset_resource(
        superset_standin, credentials=json.dumps([{"email": email, "password": "Totally-Wrong-9"}])
    )
    with resource.open() as client, pytest.raises(SupersetAuthError) as error:
        client.portal.login(client.accounts[0])
    message = str(error.value)
    assert "22****45@mail.jiit.ac.in" in message and "HTTP 401" in message
    assert email not in message and "Totally-Wrong-9" not in message
    assert superset_standin.count("login") == 1  # not retried


def test_wrong_tenant_is_refused(superset_standin: SupersetStandin) -> None:
    resource = make_superset_resource(superset_standin, tenant_id="some_other_college")
    with resource.open() as client:
        fetched = client.fetch_notices()
    assert fetched.items == [] and len(fetched.failures) == 2


def test_a_key_pair_mismatch_is_a_rejected_login(superset_standin: SupersetStandin) -> None:
    # The real portal's key cannot be decrypted by the stand-in: exactly like a wrong password.
    resource = make_superset_resource(superset_standin, public_key_pem=DEFAULT_PUBLIC_KEY_PEM)
    with resource.open() as client, pytest.raises(SupersetAuthError):
        client.portal.login(client.accounts[0])


def test_an_expired_session_is_renewed_once(superset_standin: SupersetStandin) -> None:
    with make_superset_resource(superset_standin).open() as client:
        account = client.accounts[0]
        client.job_listings(account)
        superset_standin.inject("job_profiles", "expire_session")
        listings = client.job_listings(account)
    assert {listing["jobProfileIdentifier"] for listing in listings} == superset_standin.job_ids("cse")
    assert superset_standin.count("login") == 2


def test_429_with_retry_after_and_timeouts_are_retried(superset_standin: SupersetStandin) -> None:
    superset_standin.inject("notices", "429")
    superset_standin.inject("notices", "timeout")
    with make_superset_resource(superset_standin).open() as client:
        notices = client.notices(client.accounts[0])
    assert {n["identifier"] for n in notices} == superset_standin.notice_ids("cse")
    assert superset_standin.count("notices") == 3


def test_retries_are_bounded(superset_standin: SupersetStandin) -> None:
    superset_standin.inject("job_profiles", "500", count=100)
    resource = make_superset_resource(superset_standin, max_attempts=3)
    with (
        resource.open() as client,
        pytest.raises(SupersetUnavailable, match=r"HTTP 500 \(after 3 attempts\)"),
    ):
        client.job_listings(client.accounts[0])
    assert superset_standin.count("job_profiles") == 3


def test_merged_listings_remember_which_account_sees_each_job(superset_standin: SupersetStandin) -> None:
    with make_superset_resource(superset_standin).open() as client:
        fetched = client.fetch_job_listings()
        ids = [listing["jobProfileIdentifier"] for listing in fetched.items.listings]
        assert len(ids) == len(set(ids)) == len(superset_standin.job_ids())
        assert fetched.items.visible_to["jp-acme-sde"] == [0, 1]
        assert fetched.items.visible_to["jp-tessera-vlsi"] == [1]
        details, urls = client.fetch_job_enrichment("jp-tessera-vlsi", [1])
    assert details["jobProfile"]["title"] == "VLSI Design Engineer"
    assert set(urls) == {"doc-tessera-jd", "doc-tessera-bond"}
    assert superset_standin.count("job_details") == 1  # asked the ECE account directly


def test_notice_merge_is_first_account_wins(superset_standin: SupersetStandin) -> None:
    with make_superset_resource(superset_standin).open() as client:
        fetched = client.fetch_notices()
    ids = [notice["identifier"] for notice in fetched.items]
    assert len(ids) == len(set(ids))
    assert set(ids) == superset_standin.notice_ids()
    assert fetched.failures == [] and len(fetched.accounts_ok) == 2


def test_notices_take_one_call_per_account_and_page_beyond_the_page_size(
    superset_standin: SupersetStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    superset_standin.reset_counters()
    with make_superset_resource(superset_standin).open() as client:
        everything = {notice["identifier"] for notice in client.fetch_notices().items}
    assert superset_standin.count("notices") == 2  # steady state: one call per account

    superset_standin.reset_counters()
    monkeypatch.setattr("jiit_assets.defs.superset.client.NOTICES_PAGE_SIZE", 5)
    with make_superset_resource(superset_standin).open() as client:
        paged = {notice["identifier"] for notice in client.fetch_notices().items}
    assert paged == everything
    expected_calls = sum(
        len(superset_standin.notice_ids(a.key)) // 5 + 1 for a in superset_standin.accounts_data
    )
    assert superset_standin.count("notices") == expected_calls
