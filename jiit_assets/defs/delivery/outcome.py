"""What a delivery run concluded per notice and channel, and the notice update that records it.

A notice's state on one channel follows from its recipients' ledger entries:

* ``sent``    every recipient is done (sent, or gone: blocked bot / expired subscription);
* ``failed``  every recipient is done but some failed for good (permanent error, or still failing
              after the give-up window); the reasons stay in ``deliveries``;
* ``skipped`` the channel is not configured, or has no recipients at all (reason in
              ``delivery_reasons.<channel>``), so an unconfigured channel never loops;
* ``pending`` some recipients wait for a later run, or the channel itself could not run (an outage
              or a configuration mistake): the sensor requests another run, and a channel still
              failing after the give-up window is ``failed`` with the reason in ``delivery_reasons``.

The update is written only while the notice's ``revision`` is still the one delivered, so an edit
during the run re-queues the new revision intact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from jiit_assets.defs.delivery.ledger import LedgerEntry, LedgerState
from jiit_assets.defs.subscribers.mentions import base_notice_id
from jiit_assets.lib.metadata import md_inline
from jiit_assets.lib.models import CHANNELS, DeliveryState
from jiit_assets.lib.vocabulary import aware_utc

Document = dict[str, Any]
TELEGRAM, WEB_PUSH = CHANNELS
PREVIEW_ROWS = 25


@dataclass
class NoticeResult:
    notice_id: str
    revision: int
    title: str
    states: dict[str, str] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass
class ChannelProblem:
    """Why a whole channel did not (fully) run: ``skipped`` for good, or ``errors`` that fail the run."""

    skipped: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    permanent: set[str] = field(default_factory=set)  # channels whose error needs the operator

    def fail(self, channel: str, message: str, *, retryable: bool) -> None:
        self.errors[channel] = message
        if not retryable:
            self.permanent.add(channel)


def queued_at(notice: Document) -> datetime:
    """When this revision entered the queue: the give-up window counts from here."""
    times = [
        aware_utc(notice[key])
        for key in ("created_at", "updated_at")
        if isinstance(notice.get(key), datetime)
    ]
    return max(times) if times else datetime(1970, 1, 1, tzinfo=UTC)


def settle_channel(entries: list[LedgerEntry]) -> DeliveryState:
    """A notice's state on one channel from its recipients' ledger entries."""
    if any(not entry.done for entry in entries):
        return DeliveryState.PENDING
    if any(entry.state == LedgerState.FAILED for entry in entries):
        return DeliveryState.FAILED
    return DeliveryState.SENT


def tally(
    results: dict[str, NoticeResult],
    channel: str,
    entries: dict[str, dict[str, LedgerEntry]],
    recipients: set[str],
) -> None:
    """Settle each notice on ``channel`` from the entries of this run's recipients.

    A personal mention's entries (``<notice id>#you``) count towards its notice: a mention still to
    retry keeps the notice pending.
    """
    grouped: dict[str, list[LedgerEntry]] = {}
    for notice_id, by_recipient in entries.items():
        current = [entry for recipient, entry in by_recipient.items() if recipient in recipients]
        grouped.setdefault(base_notice_id(notice_id), []).extend(current)
    for notice_id, current in grouped.items():
        result = results[notice_id]
        result.states[channel] = str(settle_channel(current))
        result.counts[channel] = Counter(str(entry.state) for entry in current)


def settle_update(
    notice: Document,
    result: NoticeResult,
    problem: ChannelProblem,
    give_up_after: dict[str, timedelta],
    now: datetime,
) -> Document:
    """The ``$set`` for one notice after the run (empty when nothing changed)."""
    delivery = dict(notice.get("delivery") or {})
    update: Document = {}
    for channel in CHANNELS:
        if delivery.get(channel) != DeliveryState.PENDING:
            result.states.setdefault(channel, str(delivery.get(channel) or "—"))
            continue
        if channel in problem.skipped:
            result.states[channel] = str(DeliveryState.SKIPPED)
            update[f"delivery_reasons.{channel}"] = problem.skipped[channel]
        elif channel in problem.errors and now - queued_at(notice) > give_up_after[channel]:
            result.states[channel] = str(DeliveryState.FAILED)
            update[f"delivery_reasons.{channel}"] = (
                f"channel failing past the give-up window: {problem.errors[channel]}"
            )
        state = result.states.get(channel, str(DeliveryState.PENDING))
        delivery[channel] = state
        update[f"delivery.{channel}"] = state
    if not update:
        return update
    pending = any(state == DeliveryState.PENDING for state in delivery.values())
    update["pending"] = pending
    update["sent_to_telegram"] = delivery.get(TELEGRAM) == DeliveryState.SENT
    if not pending:
        update["delivered_at"] = now
    return update


def state_counts(results: dict[str, NoticeResult]) -> Counter[str]:
    """How many notice × channel pairs ended in each state."""
    states: Counter[str] = Counter()
    for result in results.values():
        for channel in CHANNELS:
            states[result.states.get(channel, "—")] += 1
    return states


def results_table(results: dict[str, NoticeResult]) -> str:
    """A Markdown table of the first ``PREVIEW_ROWS`` notices with per-channel recipient counts."""
    lines = ["| notice | rev | telegram | web push |", "|---|---|---|---|"]
    for result in list(results.values())[:PREVIEW_ROWS]:
        cells = []
        for channel in CHANNELS:
            counts = result.counts.get(channel)
            detail = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) if counts else ""
            cells.append(f"{result.states.get(channel, '—')}" + (f" ({detail})" if detail else ""))
        title = md_inline(result.title, 60)
        lines.append(f"| `{result.notice_id}` {title} | {result.revision} | {cells[0]} | {cells[1]} |")
    if len(results) > PREVIEW_ROWS:
        lines.append(f"| … {len(results) - PREVIEW_ROWS} more | | | |")
    return "\n".join(lines)
