"""Targeting: realistic notices and profiles, alone and through the deliveries asset."""

from __future__ import annotations

import dagster as dg
import pytest

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.subscribers.profile import Profile, parse_settings
from jiit_assets.defs.subscribers.targeting import TargetNotice, batches_in, branch_matches, wants
from jiit_assets.lib.models import NoticeContent, NoticeType, QueuedNotice
from jiit_assets.lib.schema import DELIVERIES, ENRICHED_JOBS, NOTICES, USERS
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_subscriptions, add_users, store_notices

COURSES = ("B.Tech - Computer Science and Engineering", "B.Tech - Information Technology")
ACME_JOB = {
    "_id": "jp-acme-sde",
    "id": "jp-acme-sde",
    "company": "Acme Corp",
    "job_profile": "Software Development Engineer",
    "eligibility_courses": list(COURSES),
    "content": "Acme Corp is hiring for the 2026 passing out batch.",
    "package": 1200000,
}


def profile(**settings) -> Profile:
    return parse_settings(settings)


@pytest.mark.parametrize(
    ("branch", "expected"),
    [
        ("CSE", True),
        ("cse", True),
        ("B.Tech CSE", True),
        ("B.Tech - Computer Science and Engineering", True),
        ("Computer Science", True),
        ("IT", True),
        ("ECE", False),
        ("M.Tech CSE", False),
        ("BT", False),
        ("B.Tech", True),  # a programme alone: any of its branches
    ],
)
def test_branch_matches_the_portals_course_names(branch, expected):
    assert branch_matches(branch, COURSES) is expected


def test_mathematics_and_computing_and_vlsi_aliases():
    courses = (
        "B.Tech - Mathematics and Computing",
        "B.Tech - Electronics Engineering (VLSI Design and Technology)",
    )
    assert branch_matches("MnC", courses) and branch_matches("VLSI", courses)
    assert not branch_matches("ECE", courses)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Open to the 2026 batch only", {2026}),
        ("Eligible: 2026 graduating batch", {2026}),
        ("Batch of 2027 students may apply", {2027}),
        ("for 2026 passing out students", {2026}),
        ("2026 & 2027 batches", {2026, 2027}),
        ("Online test on 3 December 2026 at 10:00", set()),
        ("Placement policy 2026", set()),
    ],
)
def test_batches_are_read_from_what_the_job_says(text, years):
    assert batches_in(text) == frozenset(years)


def posting(package: float | None = 12.0, courses=COURSES, batches=frozenset({2026}), company="acme"):
    return TargetNotice("superset:n1", 1, "job_posting", company, package, tuple(courses), batches)


def test_no_profile_or_an_empty_one_wants_everything():
    assert wants(posting(), None) and wants(posting(), Profile())


def test_job_postings_follow_branch_batch_and_minimum_ctc():
    assert wants(posting(), profile(branch="CSE", batch=2026, min_ctc=10))
    assert not wants(posting(), profile(branch="ECE"))
    assert not wants(posting(), profile(batch=2027))
    assert not wants(posting(), profile(min_ctc=15))
    # Unknown eligibility or package: sent.
    assert wants(posting(courses=(), batches=frozenset()), profile(branch="ECE", batch=2027))
    assert wants(posting(package=None), profile(min_ctc=15))


def test_categories_and_muted_companies_apply_to_every_type():
    shortlist = TargetNotice("superset:n2", 1, "shortlisting", "acme", None)
    assert not wants(shortlist, profile(categories="job_posting"))
    assert wants(shortlist, profile(categories="shortlisting,job_posting"))
    assert not wants(shortlist, profile(mute="Acme Corp Pvt Ltd"))
    assert wants(shortlist, profile(mute="Globex", branch="ECE", min_ctc=50))  # not a posting


def job_posting_notice(source_id: str, company: str = "Acme Corp", job_id: str | None = "jp-acme-sde"):
    content = NoticeContent(
        source="superset",
        source_id=source_id,
        type=NoticeType.JOB_POSTING,
        title=f"{company} - Software Development Engineer",
        text=f"{company} is hiring. Apply on the portal before Friday.",
        company=company,
        role="Software Development Engineer",
        job_id=job_id,
        package_lpa=12.0,
    )
    return QueuedNotice(content=content, rendered=render_notice(content))


def shortlist_notice(source_id: str, company: str = "Globex"):
    content = NoticeContent(
        source="superset",
        source_id=source_id,
        type=NoticeType.SHORTLISTING,
        title=f"Shortlist: {company} online test",
        text="The following students are shortlisted for the online test on Monday.",
        company=company,
    )
    return QueuedNotice(content=content, rendered=render_notice(content))


def subscriber(chat: int, **settings):
    document = {"_id": str(chat), "chat_id": chat, "user_id": chat, "is_active": True}
    if settings:
        document["profile"] = profile(**settings).to_document()
    return document


def deliver(mongo, telegram, web_push):
    result = dg.materialize(
        [deliveries], resources={"mongo": mongo, "telegram": telegram, "web_push": web_push}
    )
    assert result.success
    return result.asset_materializations_for_node("deliveries")[0].metadata


def test_delivery_sends_each_notice_to_the_subscribers_who_want_it(
    mongo, telegram_standin, push_standin, telegram_resource, web_push_resource, vapid_keys
):
    mongo.collection(ENRICHED_JOBS).insert_one(ACME_JOB)
    store_notices(mongo, job_posting_notice("post-1"), shortlist_notice("sl-1"))
    add_users(
        mongo,
        subscriber(601),  # no profile: everything
        subscriber(602, branch="CSE", batch=2026, min_ctc=10),  # eligible
        subscriber(603, branch="ECE", batch=2026),  # not eligible for the posting
        subscriber(604, batch=2027),  # wrong batch
        subscriber(605, categories="job_posting", mute="Globex"),  # postings only
        subscriber(606, min_ctc=20),  # posting below minimum
        subscriber(607, mute="Acme Corp"),
    )
    [wanted, unwanted] = add_subscriptions(mongo, push_standin, 2, vapid_keys.public)
    mongo.collection("push_subscriptions").update_one(
        {"endpoint": unwanted["endpoint"]}, {"$set": {"profile": profile(mute="acme, globex").to_document()}}
    )

    metadata = deliver(mongo, telegram_resource, web_push_resource)

    def titles(chat):
        return sorted(
            "posting" if "Acme Corp - Software Development Engineer" in m.text else "shortlist"
            for m in telegram_standin.messages_for(chat)
        )

    posting_title, shortlist_title = "posting", "shortlist"
    assert titles(CHANNEL_CHAT) == sorted([posting_title, shortlist_title])  # configured: everything
    assert titles(601) == titles(602) == sorted([posting_title, shortlist_title])
    assert titles(603) == titles(604) == titles(606) == [shortlist_title]
    assert titles(605) == [posting_title] and titles(607) == [shortlist_title]
    assert len(push_standin.received_for(wanted["endpoint"])) == 2
    assert push_standin.received_for(unwanted["endpoint"]) == []
    # Only real sends are in the ledger; both notices are settled.
    assert mongo.collection(DELIVERIES).count_documents({}) == 2 + 2 + 1 + 3 + 3 + 2
    for notice in mongo.collection(NOTICES).find():
        assert notice["delivery"] == {"telegram": "sent", "web_push": "sent"}
    assert "not_wanted" in metadata["results"].value

    # A profile change afterwards neither re-sends nor sends what was already settled.
    mongo.collection(USERS).update_one({"_id": "603"}, {"$unset": {"profile": ""}})
    before = len(telegram_standin.messages)
    deliver(mongo, telegram_resource, web_push_resource)
    assert len(telegram_standin.messages) == before


def test_a_job_posting_without_known_eligibility_reaches_everyone(
    mongo, telegram_standin, telegram_resource, web_push_resource
):
    store_notices(mongo, job_posting_notice("post-2", company="Initech", job_id=None))
    add_users(mongo, subscriber(611, branch="ECE", batch=2027))
    deliver(mongo, telegram_resource, web_push_resource)
    assert len(telegram_standin.messages_for(611)) == 1
