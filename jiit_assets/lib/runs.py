"""Dagster run statuses as the pipeline reads them: which runs may still act.

CANCELING counts as in progress on purpose: a run being cancelled can still be sending its last
messages, so neither the unsent-notices sensor nor the delivery lease may treat it as ended.
"""

from __future__ import annotations

import dagster as dg

IN_PROGRESS_RUN_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
