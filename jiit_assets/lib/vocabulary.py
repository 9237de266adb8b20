"""The words every part shares: notice states, run statuses, owners, time and errors.

Each concept is defined here once so that parts cannot drift apart: a notice waiting for the queue
is ``NoticeState.PENDING`` everywhere, an "in-progress" run means the same statuses to the sensor
and to the delivery lease, and every asset names the same owner. ``SourceError`` is the one error a
fetch or parse of outside data raises; ``as_failure`` turns it into the ``dg.Failure`` Dagster shows,
with ``allow_retries`` telling a passing outage from a permanent mistake.

The module is plain Python so that rule modules can use it without importing Dagster; the run
statuses Dagster defines live beside it in ``jiit_assets.lib.runs``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

# Who answers for the pipeline's assets; shown in the UI next to every asset.
OWNERS = ["team:placement-cell"]

# India Standard Time, the placement office's clock: schedules, footers and digests use it.
TIMEZONE = "Asia/Kolkata"


class NoticeState(StrEnum):
    """Where a stored source document stands with respect to the notices queue."""

    PENDING = "pending"  # new or edited: the notices asset still has to (re)queue it
    QUEUED = "queued"  # its current content is in the queue
    SKIPPED = "skipped"  # deliberately not queued (backlog on a first run, not a notice)


def aware_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; MongoDB hands back naive UTC datetimes."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


class SourceError(Exception):
    """Outside data could not be fetched or understood. ``retryable`` marks a passing failure."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable

    def as_failure(self, prefix: str = "") -> dg.Failure:
        """The ``dg.Failure`` a step raises for this error; retries only where they can help."""
        import dagster as dg  # only a step converting the error needs Dagster

        return dg.Failure(description=f"{prefix}{self}", allow_retries=self.retryable)
