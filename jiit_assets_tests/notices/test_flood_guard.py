"""The flood guard: a run that would send too many notices, or an undated one, holds them for an operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
import pytest

from jiit_assets.defs.notices.assets import notices
from jiit_assets.defs.notices.automation import discard_held_notices_job, release_held_notices_job
from jiit_assets.defs.notices.checks import no_notices_held
from jiit_assets.defs.notices.hold import DEFAULT_FLOOD_LIMIT, parse_flood_limit, read_held
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.outbox import read_pending

NOW = datetime.now(UTC).replace(microsecond=0)


def _email_notices(mongo: MongoResource, count: int, *, dated: bool = True, prefix: str = "m") -> None:
    documents = []
    for index in range(count):
        content = NoticeContent(
            source="email",
            source_id=f"{prefix}{index}",
            type=NoticeType.ANNOUNCEMENT,
            title=f"Notice {prefix}{index}",
            text="Please read.",
            published_at=NOW - timedelta(hours=1) if dated else None,
        )
        documents.append(
            {"_id": f"{prefix}{index}", "notice_state": "pending", "notice_content": content.to_document()}
        )
    mongo.collection("email_notices").insert_many(documents)


def _run(mongo: MongoResource, **config: Any) -> tuple[dict[str, Any], dg.AssetCheckEvaluation]:
    result = dg.materialize(
        [notices, no_notices_held],
        resources={"mongo": mongo},
        run_config={"ops": {"notices": {"config": config}}} if config else None,
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("notices")
    [evaluation] = result.get_asset_check_evaluations()
    return {key: value.value for key, value in materialization.metadata.items()}, evaluation


def _delivery_states(mongo: MongoResource) -> set[str]:
    return {state for doc in mongo.collection("notices").find({}) for state in doc["delivery"].values()}


def test_a_flood_is_queued_but_held_until_an_operator_releases_it(mongo: MongoResource) -> None:
    _email_notices(mongo, 6)
    metadata, check = _run(mongo, flood_limit=5)

    assert (metadata["queued_new"], metadata["held"], metadata["pending_in_queue"]) == (6, 6, 0)
    assert _delivery_states(mongo) == {"held"}
    assert read_pending(mongo.db()) == []
    assert not check.passed
    assert check.metadata["held"].value == 6
    assert "flood guard: 6 notices" in check.metadata["reasons"].value
    assert "release_held_notices_job" in check.metadata["to_release"].value

    # The operator launches the release job (its preset config): outbox entries, then pending.
    result = _operator_job(mongo, release_held_notices_job)
    [materialization] = result.asset_materializations_for_node("notices")
    assert materialization.metadata["released"].value == 6
    assert materialization.metadata["pending_in_queue"].value == 6
    assert _delivery_states(mongo) == {"pending"}
    assert read_held(mongo.db()) == []
    assert [entry.notice_id for entry in read_pending(mongo.db())] == sorted(
        f"email:m{index}" for index in range(6)
    )
    _, check = _run(mongo)
    assert check.passed


def _operator_job(mongo: MongoResource, job: Any) -> dg.ExecuteInProcessResult:
    definitions = dg.Definitions(assets=[notices], jobs=[job], resources={"mongo": mongo})
    result = definitions.resolve_job_def(job.name).execute_in_process()
    assert result.success
    return result


def test_up_to_the_limit_is_sent_as_usual(mongo: MongoResource) -> None:
    _email_notices(mongo, 5)
    metadata, check = _run(mongo, flood_limit=5)
    assert (metadata["held"], metadata["pending_in_queue"]) == (0, 5)
    assert check.passed


def test_held_notices_can_be_discarded(mongo: MongoResource) -> None:
    _email_notices(mongo, 3)
    _run(mongo, flood_limit=2)
    _operator_job(mongo, discard_held_notices_job)
    assert read_pending(mongo.db()) == []
    assert _delivery_states(mongo) == {"skipped"}
    _, check = _run(mongo)
    assert check.passed


def test_a_notice_without_any_date_does_not_bypass_the_backlog_guard(mongo: MongoResource) -> None:
    _email_notices(mongo, 1, dated=False, prefix="undated")
    _email_notices(mongo, 1, prefix="dated")
    metadata, check = _run(mongo)
    assert (metadata["queued_new"], metadata["held"], metadata["pending_in_queue"]) == (2, 1, 1)
    held = mongo.collection("notices").find_one({"_id": "email:undated0"})
    assert held is not None and held["pending"] is False
    assert "no publish or edit date" in held["delivery_note"]
    assert not check.passed


def test_the_limit_comes_from_the_environment_with_a_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_flood_limit("") == DEFAULT_FLOOD_LIMIT == 50
    assert parse_flood_limit(" 12 ") == 12
    assert parse_flood_limit("off") is None
    with pytest.raises(ValueError, match="NOTICES_FLOOD_LIMIT"):
        parse_flood_limit("many")


def test_the_environment_limit_applies_when_the_config_sets_none(
    mongo: MongoResource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTICES_FLOOD_LIMIT", "2")
    _email_notices(mongo, 3)
    metadata, check = _run(mongo)
    assert metadata["held"] == 3 and not check.passed
