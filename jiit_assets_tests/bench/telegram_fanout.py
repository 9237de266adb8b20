"""Benchmark 2: one notice to 2,000 Telegram subscribers through the stand-in's flood control.

The stand-in enforces Telegram's limits (30 messages/s overall, 1/s per private chat) by answering
429 with ``retry_after``. The project's sender (``deliveries`` → ``notify/telegram.py``, with
its default 30/s pacing and ledger writes) delivers one pending notice to 2,000 active ``users``.
"""

from __future__ import annotations

from collections import Counter

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_resource import WebPushResource
from jiit_assets.lib.schema import USERS
from jiit_assets_tests.bench.common import COMMANDS, Bench, Section, Target, median, table
from jiit_assets_tests.bench.fanout import RECIPIENTS, deliver, ledger_states, store_pending_notice
from jiit_assets_tests.standins.telegram import DEFAULT_TOKEN, start_telegram_standin

TELEGRAM_LIMIT = 30.0
TARGET_FRACTION = 0.9


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


def run(bench: Bench) -> Section:
    section = Section("2. Telegram fan-out: one notice to 2,000 subscribers at 30 messages/s")
    recipients = 300 if bench.quick else RECIPIENTS
    runs = 1
    standin = start_telegram_standin(strict_rate_limits=True)
    rows = []
    fractions: list[float] = []
    duplicates_total = 0
    unhandled_total = 0
    try:
        for attempt in range(runs):
            standin.reset()
            with bench.database("telegram") as mongo:
                mongo.collection(USERS).insert_many(
                    [
                        {
                            "_id": f"tg-{i}",
                            "user_id": 880_000_000 + i,
                            "chat_id": 880_000_000 + i,
                            "first_name": f"Student {i}",
                            "is_active": True,
                        }
                        for i in range(recipients)
                    ]
                )
                notice = store_pending_notice(mongo, f"tg{attempt}")
                resource = TelegramResource(bot_token=DEFAULT_TOKEN, chat_ids="", api_base_url=standin.url)
                with COMMANDS.counting() as commands:
                    seconds, metadata = deliver(mongo, resource, WebPushResource())
                    db_commands = sum(commands.values())
                    db_seconds = sum(COMMANDS.micros.values()) / 1e6
                states = ledger_states(mongo, notice["_id"], "telegram")
            messages = list(standin.messages)
            per_chat = Counter(message.chat_id for message in messages)
            duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
            missing = recipients - len(per_chat)
            times = sorted(message.received_at for message in messages)
            span = times[-1] - times[0] if len(times) > 1 else 0.0
            rate = (len(times) - 1) / span if span > 0 else 0.0
            window = max(2, len(times) // 10)
            first_rate, last_rate = _rate(times[:window]), _rate(times[-window:])
            answered_429 = standin.responses[429]
            absorbed = int(metadata.get("rate_limited_429s_absorbed") or 0)
            # A 429 is handled when the sender waited and the message still arrived: unhandled ones
            # show as recipients left undelivered (parked for retry or failed) or 429s not absorbed.
            unhandled = max(0, answered_429 - absorbed) + missing
            fractions.append(rate / TELEGRAM_LIMIT)
            duplicates_total += duplicates
            unhandled_total += unhandled
            rows.append(
                [
                    f"{len(messages):,} to {len(per_chat):,} chats",
                    f"{seconds:.1f} s",
                    f"{rate:.2f}/s = {rate / TELEGRAM_LIMIT:.3f} of 30/s",
                    f"{len(messages) / seconds:.2f}/s",
                    duplicates,
                    f"{answered_429} (sender absorbed {absorbed})",
                    unhandled,
                    ", ".join(f"{state}: {n}" for state, n in sorted(states.items())),
                    f"{first_rate:.1f}/s → {last_rate:.1f}/s",
                    f"{db_commands:,} commands, {db_seconds:.1f} s",
                ]
            )
    finally:
        standin.stop()

    section.add(
        f"{recipients:,} active `users` documents and one pending notice (a rendered portal shortlist, one "
        "message); `dg.materialize([deliveries])` with `TelegramResource` defaults (30 messages/s "
        "pacing, 16 requests in flight, ledger write before and after every send, off the event loop) "
        "against the Telegram "
        "stand-in with strict flood control (30/s overall, 1/s per chat, 429 + `retry_after` beyond). "
        f"{runs} run, as a run takes over a minute by design; the rate is steady within a run, so "
        'it is the number to compare. "Achieved rate" is measured at the stand-in (messages accepted '
        'between the first and the last); "end to end" divides by the whole materialization, '
        "including bot start-up and the ledger.",
        "",
        *table(
            [
                "messages",
                "materialization",
                "achieved rate",
                "end to end",
                "duplicates",
                "429 answers",
                "unhandled 429s",
                "ledger",
                "rate, first → last 10% of messages",
                "MongoDB during the run",
            ],
            rows,
        ),
    )
    section.add(
        "",
        "The sender paces itself at 30/s, and the stand-in's 429s are rare and absorbed. Each message "
        "has an intent recorded before it is sent and an outcome after it (`defs/delivery/ledger.py`); "
        "the group-commit writer (`ledger_writer.py`) puts the intents of every message in flight into "
        "one `delivery_intents` insert and their outcomes into one `bulk_write` (a recipient's first "
        "outcome is an insert of the whole entry), so the chat's own task waits for its intent before "
        "sending (a send never starts unrecorded) while the other chats' sends go on. The first → last "
        "10% column shows whether the database still holds the rate back, and the last column the "
        "time spent waiting on MongoDB (summed over the worker threads, so it can exceed the run).",
    )
    fraction = median(fractions)
    section.targets = [
        Target(
            "Telegram rate",
            "≥ 0.9 of 30 messages/s",
            f"{fraction:.3f} of 30/s",
            fraction >= TARGET_FRACTION,
            ""
            if fraction >= TARGET_FRACTION
            else "the two ledger writes per message (off the event loop) still wait on FerretDB, whose "
            "SQLite backend takes one writer at a time and slows as `deliveries` grows (see section 2)",
        ),
        Target("Telegram duplicates", "0", str(duplicates_total), duplicates_total == 0),
        Target("Telegram unhandled 429s", "0", str(unhandled_total), unhandled_total == 0),
    ]
    return section
