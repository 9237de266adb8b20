"""Benchmark 3: one notice to 2,000 Web Push subscriptions, the project's sender against a plain loop.

Both send the same payload to subscriptions of the push stand-in (which verifies the VAPID JWT and
decrypts every aes128gcm body) in the same run, under two conditions: the stand-in answering after
about 80 ms (± 40 ms, uniform), as a push service across the internet does, and answering at once
(loopback). The project's sender is ``deliveries`` (thread pool, per-thread sessions, group-commit
ledger); the plain loop is sequential ``pywebpush.webpush()`` calls as the old system made them.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import webpush

from jiit_assets.defs.delivery.telegram_resource import TelegramResource
from jiit_assets.defs.delivery.webpush_fanout import encode_payload, subscription_document
from jiit_assets.defs.delivery.webpush_resource import WebPushResource, b64url, public_key_of
from jiit_assets.lib.schema import PUSH_SUBSCRIPTIONS
from jiit_assets_tests.bench.common import COMMANDS, Bench, Section, Target, median, table
from jiit_assets_tests.bench.fanout import RECIPIENTS, deliver, ledger_states, store_pending_notice
from jiit_assets_tests.standins.push import PushStandin, start_push_standin

VAPID_SUBJECT = "mailto:placement.cell@jiit.ac.in"
TARGET_SPEEDUP = 10.0
DELAY_SECONDS, JITTER_SECONDS = 0.080, 0.040
# The plain loop under the delay takes ~85 ms a push; a few hundred give a steady rate.
PLAIN_UNDER_DELAY = 300


class HandlerClock:
    """Total time the stand-in spends handling pushes (delay included), across its threads."""

    def __init__(self, standin: PushStandin) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()
        handle = standin.handle

        def timed(subscription_id: str, headers: Any, body: bytes) -> tuple[int, dict[str, str]]:
            start = time.perf_counter()
            try:
                return handle(subscription_id, headers, body)
            finally:
                with self._lock:
                    self.seconds += time.perf_counter() - start
                    self.calls += 1

        standin.handle = timed  # type: ignore[method-assign]

    def reset(self) -> None:
        with self._lock:
            self.seconds, self.calls = 0.0, 0


def _received(standin: PushStandin, notice_id: str) -> Counter[str]:
    return Counter(
        push.subscription_id
        for push in list(standin.received)
        if isinstance(push.payload, dict) and push.payload.get("notice_id") == notice_id
    )


class Comparison:
    """Runs both senders under one stand-in delay and collects the table rows and rates."""

    def __init__(
        self, bench: Bench, standin: PushStandin, resource: WebPushResource, subscriptions: list[Any]
    ) -> None:
        self.bench = bench
        self.standin = standin
        self.resource = resource
        self.subscriptions = subscriptions
        self.clock = HandlerClock(standin)
        self.rows: list[list[Any]] = []
        self.rates: dict[str, dict[str, list[float]]] = {}
        self.lost = 0
        self.duplicates = 0

    def project(self, label: str, tag: str) -> None:
        with self.bench.database("webpush") as mongo:
            mongo.collection(PUSH_SUBSCRIPTIONS).insert_many(
                [subscription_document(s) for s in self.subscriptions]
            )
            notice = store_pending_notice(mongo, tag)
            self.clock.reset()
            cpu = time.process_time()
            with COMMANDS.counting() as commands:
                seconds, metadata = deliver(mongo, TelegramResource(), self.resource)
                db_commands = sum(commands.values())
            cpu = time.process_time() - cpu
            states = ledger_states(mongo, notice["_id"], "web_push")
        got = _received(self.standin, notice["_id"])
        count = len(self.subscriptions)
        lost, duplicates = count - len(got), sum(n - 1 for n in got.values() if n > 1)
        self.lost += lost
        self.duplicates += duplicates
        self.rates.setdefault(label, {}).setdefault("project", []).append(count / seconds)
        self.rows.append(
            [
                label,
                f"project (`deliveries`, {self.resource.concurrency} threads)",
                count,
                f"{seconds:.2f} s",
                f"{count / seconds:.1f}/s",
                lost,
                duplicates,
                f"{cpu / count * 1000:.2f} ms",
                ", ".join(f"{state}: {n}" for state, n in sorted(states.items()))
                + f"; {db_commands:,} DB commands ({metadata['ledger_writes']} ledger writes for "
                f"{metadata['ledger_operations']:,} entry operations)",
            ]
        )

    def plain(self, label: str, tag: str, count: int) -> None:
        """The plain loop: what a straightforward script does, one push after the other."""
        payload = encode_payload({"title": "Shortlist", "body": "plain loop", "notice_id": tag})
        self.clock.reset()
        cpu, start, failures = time.process_time(), time.perf_counter(), 0
        for subscription in self.subscriptions[:count]:
            try:
                webpush(
                    subscription,
                    data=payload,
                    vapid_private_key=self.resource.vapid_private_key,
                    vapid_claims={"sub": VAPID_SUBJECT},
                    ttl=86_400,
                    timeout=10,
                )
            except Exception:  # a loss is what this loop would record, whatever the cause
                failures += 1
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        got = _received(self.standin, tag)
        self.rates.setdefault(label, {}).setdefault("plain", []).append(count / seconds)
        self.rows.append(
            [
                label,
                "plain sequential `pywebpush.webpush()` loop",
                count,
                f"{seconds:.2f} s",
                f"{count / seconds:.1f}/s",
                count - len(got),
                sum(n - 1 for n in got.values() if n > 1),
                f"{cpu / count * 1000:.2f} ms",
                f"{failures} exceptions; no ledger",
            ]
        )

    def speedup(self, label: str) -> float:
        return median(self.rates[label]["project"]) / median(self.rates[label]["plain"])


def run(bench: Bench) -> Section:
    section = Section("3. Web Push fan-out: one notice to 2,000 subscriptions")
    recipients = 200 if bench.quick else RECIPIENTS
    key = ec.generate_private_key(ec.SECP256R1())
    private, public = b64url(key.private_numbers().private_value.to_bytes(32, "big")), public_key_of(key)
    standin = start_push_standin()
    resource = WebPushResource(
        vapid_private_key=private,
        vapid_public_key=public,
        vapid_subject=VAPID_SUBJECT,
        extra_push_origins=standin.url,
    )
    delayed, loopback = f"{DELAY_SECONDS * 1000:.0f} ± {JITTER_SECONDS * 1000:.0f} ms", "none (loopback)"
    try:
        subscriptions = [standin.new_subscription(application_server_key=public) for _ in range(recipients)]
        comparison = Comparison(bench, standin, resource, subscriptions)
        for repetition in range(bench.slow_repeats):
            standin.delay_seconds, standin.jitter_seconds = DELAY_SECONDS, JITTER_SECONDS
            comparison.project(delayed, f"wpd{repetition}")
            comparison.plain(delayed, f"plaind{repetition}", min(PLAIN_UNDER_DELAY, recipients))
            standin.delay_seconds = standin.jitter_seconds = 0.0
            comparison.project(loopback, f"wpl{repetition}")
            comparison.plain(loopback, f"plainl{repetition}", recipients)
            with standin._lock:
                standin.received.clear()
    finally:
        standin.stop()
    _describe(section, bench, resource, recipients, comparison, delayed, loopback)
    return section


def _describe(
    section: Section,
    bench: Bench,
    resource: WebPushResource,
    recipients: int,
    comparison: Comparison,
    delayed: str,
    loopback: str,
) -> None:
    speedup, speedup_loopback = comparison.speedup(delayed), comparison.speedup(loopback)
    section.add(
        f"{recipients:,} subscriptions minted by the push stand-in (each with its own P-256 key and auth secret) and "
        "one pending notice, side by side in one run under two stand-in answer delays: "
        f"{delayed} (uniform jitter; a push service across the internet) and none. The project's sender is "
        f"`dg.materialize([deliveries])`, Web Push only, `WebPushResource` defaults ({resource.concurrency} threads, "
        "per-thread HTTP sessions, fresh VAPID claims, the group-commit ledger: one intent and one outcome per push, "
        "the writer thread puts everything queued while it was busy into one write, so batches grow exactly when the "
        "database would otherwise hold the pushes back). The plain loop calls "
        f"`pywebpush.webpush()` one push after the other with no ledger (under the delay on the first "
        f"{min(PLAIN_UNDER_DELAY, recipients)} subscriptions: its rate is steady). {bench.slow_repeats} repetitions; "
        "rates are deliveries per second of wall time, the project's including the Dagster run, loading "
        'subscriptions and the ledger. "CPU / push" is this process\'s CPU time (sender, stand-in and Dagster; '
        "FerretDB runs in its own process) divided by the pushes.",
        "",
        *table(
            [
                "stand-in delay",
                "sender",
                "pushes",
                "wall time",
                "deliveries/s",
                "lost",
                "duplicates",
                "CPU / push",
                "outcome",
            ],
            comparison.rows,
        ),
        "",
        f"Speed-up (median rates): ×{speedup:.1f} under the {delayed} delay, ×{speedup_loopback:.2f} on loopback.",
        "",
        "Where the time goes. Under the delay the plain loop waits on the network for almost every push, and "
        f"the project's {resource.concurrency} threads overlap that waiting. Each push also costs CPU on both "
        "sides of this one process: the sender's ECDH key agreement, HKDF, AES-GCM and ES256 JWT signature "
        "(pywebpush builds a new `Vapid` and JWT per call) and the stand-in's JWT verification and decryption, "
        "much of it holding the GIL, so on 2 cores the CPU column caps the loopback rate for both senders. The "
        "ledger no longer sets the pace: intents go into one `delivery_intents` insert per write and a recipient's "
        "first outcome is an insert of its whole entry, so FerretDB (where an update by `_id` costs tens of "
        "milliseconds and an insert a fraction of one) sees about one cheap command per push or two instead of two "
        "updates per push. The price of exactly-once is bounded too: a crash repeats at most the pushes in flight "
        f"({resource.concurrency}), reported as `possible_duplicates`; the plain loop records nothing and after a "
        "crash cannot tell who already got the notice.",
    )
    section.targets = [
        Target(
            f"Web Push speed vs plain loop ({delayed} answers)",
            f"≥ ×{TARGET_SPEEDUP:g}",
            f"×{speedup:.1f} ({median(comparison.rates[delayed]['project']):.1f}/s vs "
            f"{median(comparison.rates[delayed]['plain']):.1f}/s)",
            speedup >= TARGET_SPEEDUP,
            f"loopback (no delay): ×{speedup_loopback:.2f}, CPU-bound on 2 cores (see section 3)",
        ),
        Target(
            "Web Push losses / duplicates",
            "0 / 0",
            f"{comparison.lost} / {comparison.duplicates}",
            comparison.lost == 0 and comparison.duplicates == 0,
        ),
    ]
