"""LEGACY_USERS_COLLECTION: the older bot's active subscribers receive notices too, once per chat."""

from __future__ import annotations

import uuid

import dagster as dg
import pytest

from jiit_assets.defs.delivery.assets import deliveries
from jiit_assets.defs.delivery.legacy_subscribers import load_legacy_subscribers, split_collection_setting
from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.mongo import MongoResource
from jiit_assets_tests.fixtures.notify import CHANNEL_CHAT, add_users, queued_notice, store_notices
from jiit_assets_tests.standins.telegram import TelegramStandin


def test_the_setting_names_a_collection_here_or_in_another_database() -> None:
    assert split_collection_setting("", "ours") is None
    assert split_collection_setting("Users", "ours") == ("ours", "Users")
    assert split_collection_setting("SupersetPlacement.Users", "ours") == ("SupersetPlacement", "Users")
    with pytest.raises(ValueError, match=r"DATABASE\.COLLECTION"):
        split_collection_setting(".Users", "ours")


def test_legacy_subscribers_are_added_once_by_chat_id(
    mongo: MongoResource, telegram_standin: TelegramStandin, telegram_resource: TelegramResource
) -> None:
    legacy_name = f"legacy_{uuid.uuid4().hex[:10]}"
    legacy_users = mongo.client[legacy_name]["Users"]
    try:
        legacy_users.insert_many(
            [
                {"user_id": 601, "chat_id": 601, "is_active": True},  # also one of ours
                {"user_id": 602, "chat_id": "602", "is_active": True},  # chat id stored as text
                {"user_id": 603, "is_active": True},  # no chat_id: the private chat is the user id
                {"user_id": 604, "chat_id": 604, "is_active": False},
                {"user_id": 605, "chat_id": 605, "is_active": True},
            ]
        )
        assert load_legacy_subscribers(legacy_users) == ["601", "602", "603", "605"]
        add_users(mongo, {"_id": "601", "user_id": 601, "chat_id": 601, "is_active": True})
        store_notices(mongo, queued_notice("legacy-subscribers"))
        settings = {**telegram_resource.model_dump(), "legacy_users_collection": f"{legacy_name}.Users"}
        telegram = TelegramResource(**settings)
        result = dg.materialize(
            [deliveries], resources={"mongo": mongo, "telegram": telegram, "web_push": WebPushResource()}
        )
        assert result.success
        received = {
            chat: len(telegram_standin.messages_for(chat))
            for chat in (CHANNEL_CHAT, "601", "602", "603", "604", "605")
        }
        assert received == {CHANNEL_CHAT: 1, "601": 1, "602": 1, "603": 1, "604": 0, "605": 1}
    finally:
        mongo.client.drop_database(legacy_name)
