"""MongoDB faults: passwords that break naive redaction, and databases that already have indexes."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from pymongo import ASCENDING, DESCENDING

from jiit_assets.lib.mongo import MongoConfigError, MongoResource
from jiit_assets.lib.mongo_uri import hosts_of, redact_uri, split_uri

PASSWORDS = ["pa/ss123", "p@ss:w/rd", "a:b:c", "sp@c e", "pä$$#?&=wörd"]


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("encode", [False, True], ids=["raw", "percent-encoded"])
def test_redaction_hides_any_password_and_keeps_user_and_hosts(password: str, encode: bool) -> None:
    secret = quote(password, safe="") if encode else password
    uri = f"mongodb://admin:{secret}@db.example:27017,db2.example:27018/jiit?authSource=admin"
    redacted = redact_uri(uri)
    # `?` and `#` inside an unencoded password end the host part for pymongo too; nothing of the
    # password may survive whichever way the text is cut.
    for piece in {password, secret, *password.split("/"), *password.split("@")}:
        if len(piece) >= 3:
            assert piece not in redacted, (uri, redacted)
    assert redacted.startswith("mongodb://admin:***@")
    if "?" not in secret and "#" not in secret:
        assert redacted == "mongodb://admin:***@db.example:27017,db2.example:27018/jiit?authSource=admin"
        assert hosts_of(uri) == "db.example:27017,db2.example:27018"


def test_the_password_is_what_pymongo_would_take() -> None:
    parts = split_uri("mongodb+srv://cell:p%40ss%3Aw@cluster0.abc.mongodb.net/x?retryWrites=true")
    assert parts is not None
    assert (parts.user, parts.password, parts.hosts, parts.rest) == (
        "cell",
        "p%40ss%3Aw",
        "cluster0.abc.mongodb.net",
        "/x?retryWrites=true",
    )
    assert split_uri("postgres://u:p@h/db") is None
    assert redact_uri("mongodb://reader@h/db") == "mongodb://reader@h/db"  # no password, nothing hidden


@pytest.mark.parametrize("password", ["pa/ss123", "hunter@2024", "top:secret99"])
def test_invalid_uris_fail_without_quoting_the_password(password: str) -> None:
    with pytest.raises(MongoConfigError) as caught:
        MongoResource(uri=f"mongodb://admin:{password}@db:27017/").db()
    text = str(caught.value)
    for piece in (password, *password.split("/"), *password.split("@"), *password.split(":")):
        if len(piece) >= 4:
            assert piece not in text, text


def test_indexes_with_the_same_keys_under_other_names_are_reused(mongo: MongoResource) -> None:
    database = mongo.db()
    database["enriched_jobs"].create_index([("createdAt", DESCENDING)], name="createdAt_-1")
    database["users"].create_index([("chat_id", ASCENDING)], name="chat_id_1")
    database["push_subscriptions"].create_index([("endpoint", ASCENDING)], name="endpoint_1", unique=True)

    jobs = mongo.collection("enriched_jobs")
    users = mongo.collection("users")
    subscriptions = mongo.collection("push_subscriptions")

    assert "createdAt_desc" not in jobs.index_information()
    assert "company_key" in jobs.index_information()  # the missing one is still created
    assert "chat_id" not in users.index_information()
    assert set(subscriptions.index_information()) == {"_id_", "endpoint_1"}
    assert mongo.index_problems() == {}


def test_duplicates_that_block_a_unique_index_are_reported_not_raised(
    mongo: MongoResource, caplog: pytest.LogCaptureFixture
) -> None:
    raw = mongo.db()["push_subscriptions"]
    raw.insert_many([{"endpoint": "https://push.example/a"}, {"endpoint": "https://push.example/a"}])

    with caplog.at_level(logging.WARNING, logger="jiit_assets.mongo"):
        collection = mongo.collection("push_subscriptions")
        again = mongo.collection("push_subscriptions")  # every later call works too

    assert collection.count_documents({}) == again.count_documents({}) == 2
    assert "endpoint" not in collection.index_information()
    [(where, problems)] = mongo.index_problems().items()
    assert where.endswith(".push_subscriptions")
    assert "remove the duplicates" in problems[0]
    assert "remove the duplicates" in caplog.text


def test_a_non_unique_index_where_a_unique_one_is_wanted_is_reported(mongo: MongoResource) -> None:
    mongo.db()["push_subscriptions"].create_index([("endpoint", ASCENDING)], name="endpoint_1")
    mongo.collection("push_subscriptions").insert_one({"endpoint": "https://push.example/b"})
    [problems] = mongo.index_problems().values()
    assert "not unique" in problems[0]
