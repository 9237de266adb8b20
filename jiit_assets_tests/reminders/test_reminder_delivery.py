"""A due reminder through the real delivery path: the outbox, the ledger and the Telegram stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.reminders.assets import deadline_reminders
from jiit_assets.defs.subscribers.profile import Profile
from jiit_assets.lib.schema import DELIVERIES, ENRICHED_JOBS, NOTICES, USERS
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT


def test_a_reminder_reaches_the_targeted_subscribers_once(
    mongo, telegram_standin, telegram_resource, web_push_resource
) -> None:
    closes = datetime.now(UTC) + timedelta(hours=2)
    mongo.collection(ENRICHED_JOBS).insert_one(
        {
            "_id": "JP-9",
            "id": "JP-9",
            "company": "Acme",
            "job_profile": "SDE",
            "deadline": int(closes.timestamp() * 1000),
            "eligibility_courses": ["B.Tech - Computer Science and Engineering"],
        }
    )
    users = {
        "601": Profile(branch="CSE"),
        "602": Profile(branch="ECE"),  # not eligible for the job: no reminder either
        "603": Profile(branch="CSE", reminders=False),
    }
    mongo.collection(USERS).insert_many(
        [
            {
                "_id": chat,
                "chat_id": int(chat),
                "user_id": int(chat),
                "is_active": True,
                "profile": p.to_document(),
            }
            for chat, p in users.items()
        ]
    )
    resources = {"mongo": mongo, "telegram": telegram_resource, "web_push": web_push_resource}
    for _ in range(2):  # a second round queues and sends nothing more
        assert dg.materialize([deadline_reminders], resources={"mongo": mongo}).success
        assert dg.materialize([deliveries], resources=resources).success
    texts = [m.text for m in telegram_standin.messages_for("601")]
    assert len(texts) == 2 and all("Acme" in text for text in texts)  # the 24 h and the 3 h reminder
    assert telegram_standin.messages_for("602") == [] and telegram_standin.messages_for("603") == []
    assert len(telegram_standin.messages_for(CHANNEL_CHAT)) == 2
    assert mongo.collection(NOTICES).count_documents({"type": "reminder", "pending": True}) == 0
    sent = mongo.collection(DELIVERIES).count_documents({"channel": "telegram", "state": "sent"})
    assert sent == 4
