"""Bot commands: what each one stores, and the reply it earns.

``CommandHandler.handle`` stores the command's effect (a subscriber added, removed, a profile
saved) and returns the reply; sending it is the poller's job, so the effect is stored before any
reply leaves. Every command is idempotent: handling the same message twice leaves the same state.

``/profile`` takes ``key=value`` settings (``/profile branch=CSE batch=2027 mute=Acme Corp, Globex``,
``/profile digest=daily digest_hour=21 quiet_hours=on``):
a value runs until the next ``key=``, so company names may contain spaces. A bad value changes
nothing and the reply says what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo.collection import Collection

from jiit_assets.defs.reminders.feeds import CalendarFeeds, Owner, feed_path
from jiit_assets.defs.subscribers import replies
from jiit_assets.defs.subscribers.incoming import IncomingMessage, parse_command
from jiit_assets.defs.subscribers.profile import ALIASES, Profile, ProfileError, parse_settings
from jiit_assets.defs.subscribers.store import SubscriberStore, Subscription

Document = dict[str, Any]
STATS_LATEST_ID = "latest"  # the placement_stats document the analytics part keeps current
_SETTING = re.compile(r"(?:^|[\s;])([A-Za-z_]+)\s*=")
_CLEAR_WORDS = frozenset({"clear", "reset"})


class Effect(StrEnum):
    NONE = "none"
    SUBSCRIBED = "subscribed"
    RESUBSCRIBED = "resubscribed"
    UNSUBSCRIBED = "unsubscribed"
    PROFILE_SAVED = "profile_saved"
    CALENDAR_LINK = "calendar_link"


@dataclass(frozen=True)
class Outcome:
    command: str  # the command handled, "help" for other text, "ignored" for silence
    reply: str | None  # Telegram HTML, or None to stay silent
    effect: Effect = Effect.NONE


def parse_profile_args(text: str) -> dict[str, str]:
    """``key=value`` pairs of a /profile message; ``ProfileError`` when the text has none."""
    matches = list(_SETTING.finditer(text))
    if not matches or text[: matches[0].start()].strip():
        raise ProfileError("write settings as key=value, e.g. branch=CSE batch=2027.")
    settings: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        settings[match.group(1)] = text[match.end() : end].strip().strip(";").strip()
    return settings


def telegram_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """Only the settings that act on delivery; ``ProfileError`` names any other."""
    allowed = set(replies.TELEGRAM_SETTINGS)
    for name in settings:
        field = ALIASES.get(name.strip().lower(), name.strip().lower())
        if field not in allowed:
            names = "branch, batch, enrollment, categories, min_ctc, mute, reminders, quiet_hours, digest, digest_hour"
            raise ProfileError(f"{name}: not a setting you can change here; use {names}.")
    return dict(settings)


class CommandHandler:
    """Handles one message at a time against ``users`` and ``placement_stats``."""

    def __init__(
        self,
        store: SubscriberStore,
        stats: Collection[Document],
        bot_username: str,
        feeds: CalendarFeeds | None = None,
        public_url: str = "",
    ) -> None:
        self.store = store
        self.stats = stats
        self.bot_username = bot_username
        self.feeds = feeds
        self.public_url = public_url.rstrip("/")

    def handle(self, message: IncomingMessage) -> Outcome:
        command = parse_command(message, self.bot_username)
        if command is None:
            return Outcome("ignored", None)
        name, args = command.name, command.args
        if name == "start":
            return self._start(message)
        if name == "stop":
            was_active = self.store.deactivate(message.chat_id, "sent /stop")
            effect = Effect.UNSUBSCRIBED if was_active else Effect.NONE
            return Outcome("stop", replies.stopped(was_active), effect)
        if name == "status":
            return Outcome("status", replies.status(self.store.find(message.chat_id)))
        if name == "profile":
            return self._profile(message, args)
        if name == "calendar":
            return self._calendar(message, args)
        if name == "stats":
            return Outcome("stats", replies.stats(self.stats.find_one({"_id": STATS_LATEST_ID})))
        return Outcome("help", replies.HELP)

    def _start(self, message: IncomingMessage) -> Outcome:
        subscription = self.store.subscribe(message)
        effect = {
            Subscription.NEW: Effect.SUBSCRIBED,
            Subscription.REACTIVATED: Effect.RESUBSCRIBED,
        }.get(subscription, Effect.NONE)
        return Outcome("start", replies.greeting(message.first_name, str(subscription)), effect)

    def _profile(self, message: IncomingMessage, args: str) -> Outcome:
        subscriber = self.store.find(message.chat_id)
        if subscriber is None or not subscriber.is_active:
            return Outcome("profile", replies.not_subscribed())
        if not args:
            return Outcome("profile", replies.profile_text(subscriber.profile))
        if args.strip().lower() in _CLEAR_WORDS:
            profile = Profile()
        else:
            try:
                settings = telegram_settings(parse_profile_args(args))
                profile = parse_settings(settings, base=subscriber.profile)
            except ProfileError as error:
                return Outcome("profile", replies.profile_error(str(error)))
        self.store.save_profile(message.chat_id, profile)
        return Outcome("profile", replies.profile_text(profile, changed=True), Effect.PROFILE_SAVED)

    def _calendar(self, message: IncomingMessage, args: str) -> Outcome:
        """``/calendar`` shows (creating once) the personal feed link; ``/calendar revoke`` replaces it."""
        if self.feeds is None or not self.public_url:
            return Outcome("calendar", replies.CALENDAR_UNAVAILABLE)
        subscriber = self.store.find(message.chat_id)
        if subscriber is None or not subscriber.is_active:
            return Outcome("calendar", replies.not_subscribed())
        revoke = args.strip().lower() in {"revoke", "reset", "new"}
        token = self.feeds.issue(Owner.TELEGRAM, str(message.chat_id), replace=revoke)
        if token is None:  # a subscriber of the older bot under another _id: /start stores it here
            return Outcome("calendar", replies.not_subscribed())
        url = f"{self.public_url}{feed_path(token)}"
        return Outcome("calendar", replies.calendar_link(url, revoked=revoke), Effect.CALENDAR_LINK)
