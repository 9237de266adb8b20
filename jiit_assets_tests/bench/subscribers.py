"""Benchmark: targeted fan-out to 10,000 subscribers with profiles, and bot command latency.

Part 1 stores 10,000 active ``users`` with a mix of profiles (none, branch/batch/minimum CTC,
job postings only, the notice's company muted, an enrollment number the notice lists) and one
pending portal shortlist, then materializes ``deliveries`` against the Telegram stand-in with
strict flood control: the rate is measured at the stand-in over the messages it accepted.

Part 2 injects commands into the stand-in (``POST /standin/incoming``) and runs
``telegram_commands_sensor`` ticks as the daemon would: the latency is from the injection to the
reply's arrival at the stand-in, for one command at a time and for a burst of 100 students.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import dagster as dg

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.defs.subscribers.profile import parse_settings
from jiit_assets.defs.subscribers.sensors import telegram_commands_sensor
from jiit_assets.lib.schema import USERS
from jiit_assets_tests.bench.common import Bench, Section, Target, median, table
from jiit_assets_tests.bench.fanout import deliver, store_pending_notice
from jiit_assets_tests.standins.telegram import DEFAULT_TOKEN, TelegramStandin, start_telegram_standin

SUBSCRIBERS = 10_000
TELEGRAM_LIMIT = 30.0
TARGET_FRACTION = 0.9
BURST = 100


def _profiles(notice: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """The mix, as (kind, settings): what each fifth of the subscribers asked for."""
    listed = next(
        (s["enrollment_number"] for s in notice.get("students") or [] if s.get("enrollment_number")), None
    )
    return [
        ("no profile", None),
        ("branch, batch, minimum CTC", {"branch": "CSE", "batch": 2026, "min_ctc": 8}),
        ("job postings only", {"categories": "job_posting"}),
        ("company muted", {"mute": str(notice.get("company") or "Acme")}),
        ("listed enrollment number", {"enrollment": listed or "22103045", "branch": "ECE"}),
    ]


def _fanout(bench: Bench, standin: TelegramStandin, count: int) -> tuple[list[list[Any]], float, int]:
    with bench.database("subscribers") as mongo:
        notice = store_pending_notice(mongo, "subs")
        mix = _profiles(notice)
        users = []
        for i in range(count):
            _, settings = mix[i % len(mix)]
            document: dict[str, Any] = {"_id": f"tg-{i}", "chat_id": 890_000_000 + i, "is_active": True}
            if settings:
                document["profile"] = parse_settings(settings).to_document()
            users.append(document)
        mongo.collection(USERS).insert_many(users)
        resource = TelegramResource(bot_token=DEFAULT_TOKEN, chat_ids="", api_base_url=standin.url)
        seconds, metadata = deliver(mongo, resource, WebPushResource())
    times = sorted(message.received_at for message in standin.messages)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0
    per_chat = Counter(message.chat_id for message in standin.messages)
    personal = sum(1 for m in standin.messages if m.text.startswith("You are on the shortlist"))
    rows = [
        [
            f"{count:,}",
            ", ".join(kind for kind, _ in mix),
            f"{len(standin.messages):,} to {len(per_chat):,} chats ({personal:,} personal mentions)",
            f"{seconds:.1f} s",
            f"{rate:.2f}/s = {rate / TELEGRAM_LIMIT:.3f} of 30/s",
            f"{standin.responses[429]} (absorbed {metadata.get('rate_limited_429s_absorbed')})",
        ]
    ]
    duplicates = sum(n - 1 for n in Counter((m.chat_id, m.text) for m in standin.messages).values() if n > 1)
    return rows, rate / TELEGRAM_LIMIT, duplicates


def _tick(mongo: Any, resource: TelegramResource, cursor: str | None) -> str | None:
    with dg.build_sensor_context(resources={"mongo": mongo, "telegram": resource}, cursor=cursor) as context:
        telegram_commands_sensor(context)
        return context.cursor


def _latency(bench: Bench, standin: TelegramStandin, singles: int) -> tuple[list[float], float]:
    resource = TelegramResource(bot_token=DEFAULT_TOKEN, chat_ids="", api_base_url=standin.url)
    latencies: list[float] = []
    with bench.database("commands") as mongo:
        cursor = None
        for i in range(singles):
            chat = 700_000 + i
            sent = time.time()
            standin.inject({"chat_id": chat, "text": "/start", "from": {"id": chat, "first_name": f"S{i}"}})
            cursor = _tick(mongo, resource, cursor)
            latencies.append(standin.messages_for(chat)[0].received_at - sent)
        sent = time.time()
        for i in range(BURST):
            chat = 710_000 + i
            standin.inject({"chat_id": chat, "text": "/start", "from": {"id": chat, "first_name": f"B{i}"}})
        while sum(1 for m in standin.messages if int(m.chat_id) >= 710_000) < BURST:
            cursor = _tick(mongo, resource, cursor)
        burst = max(m.received_at for m in standin.messages) - sent
    return latencies, burst


def run(bench: Bench) -> Section:
    section = Section("Subscribers: targeted fan-out to 10,000 profiles, and bot command latency")
    count = 1_000 if bench.quick else SUBSCRIBERS
    standin = start_telegram_standin(strict_rate_limits=True)
    try:
        rows, fraction, duplicates = _fanout(bench, standin, count)
        standin.reset()
        latencies, burst = _latency(bench, standin, 5 if bench.quick else 20)
    finally:
        standin.stop()
    section.add(
        f"{count:,} active subscribers, one fifth each with the profiles listed, and one pending portal "
        "shortlist; `dg.materialize([deliveries])` with `TelegramResource` defaults against the stand-in "
        "with strict flood control. Subscribers who muted shortlists or the company are skipped by "
        "targeting (no request, no ledger write); listed students get the broadcast and a personal "
        "mention. The rate is measured at the stand-in between the first and the last message.",
        "",
        *table(
            ["subscribers", "profiles", "messages", "materialization", "achieved rate", "429 answers"], rows
        ),
        "",
        "Command latency: a `/start` injected with `POST /standin/incoming`, then a sensor tick "
        "(`build_sensor_context`), until the reply reaches the stand-in: it covers getMe, getUpdates, "
        "the `users` upsert, the update record and the paced reply. In `make demo` the daemon adds up "
        "to the 10 s tick interval (the tick long-polls for 5 s of it, so a message arriving during the "
        "poll is answered at once).",
        "",
        *table(
            ["case", "latency"],
            [
                [
                    f"one command at a time ({len(latencies)} runs)",
                    f"median {median(latencies):.2f} s, max {max(latencies):.2f} s",
                ],
                [f"burst of {BURST} students' /start", f"all {BURST} replies within {burst:.1f} s"],
            ],
        ),
    )
    section.targets = [
        Target(
            "Targeted fan-out rate",
            "≥ 0.9 of 30 messages/s",
            f"{fraction:.3f} of 30/s",
            fraction >= TARGET_FRACTION,
        ),
        Target("Targeted fan-out duplicates", "0", str(duplicates), duplicates == 0),
        Target("Command reply", "< 60 s", f"median {median(latencies):.2f} s", max(latencies) < 60),
    ]
    return section
