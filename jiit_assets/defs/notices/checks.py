"""Checks on the queue: one document per source notice, and no notices held back unseen.

The ``_id`` of every document is unique by construction, so the first check looks for what can
still go wrong: the same source notice stored under two different ids, which would deliver it
twice and list it twice in the campus web app. The second fails while the flood guard (or a
missing date) holds notices back, so an operator sees them and releases or discards them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from jiit_assets.defs.notices.hold import read_held
from jiit_assets.lib.metadata import md_bullets
from jiit_assets.lib.mongo import MongoResource
from jiit_assets.lib.schema import NOTICES

NOTICES_KEY = dg.AssetKey(NOTICES)

EXAMPLES_SHOWN = 10


def notice_id_problems(documents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Notices whose ids do not follow ``<source>:<source_id>`` or whose web-app ``id`` differs.

    Either means the same source notice can end up stored twice: once under its natural id and
    once under the stray one.
    """
    problems: list[str] = []
    for document in documents:
        doc_id = document.get("_id")
        expected = f"{document.get('source')}:{document.get('source_id')}"
        if doc_id != expected:
            problems.append(f"`{doc_id}`: expected `_id` `{expected}` from source and source_id")
        elif document.get("id") != doc_id:
            problems.append(f"`{doc_id}`: web-app field `id` is `{document.get('id')}`")
    return problems


@dg.asset_check(
    asset=NOTICES_KEY,
    name="one_document_per_source_notice",
    description=(
        "Every notice is stored under its natural id `<source>:<source_id>`, and the `id` field the "
        "campus web app reads equals it, so no source notice can be queued (and delivered) twice."
    ),
)
def one_document_per_source_notice(mongo: MongoResource) -> dg.AssetCheckResult:
    collection = mongo.collection(NOTICES)
    documents = list(collection.find({}, {"_id": 1, "id": 1, "source": 1, "source_id": 1}))
    problems = notice_id_problems(documents)
    metadata: dict[str, Any] = {"notices_checked": len(documents), "bad_ids": len(problems)}
    if problems:
        metadata["examples"] = dg.MetadataValue.md(md_bullets(problems, EXAMPLES_SHOWN))
    return dg.AssetCheckResult(passed=not problems, metadata=metadata)


@dg.asset_check(
    asset=NOTICES_KEY,
    name="no_notices_held",
    description=(
        "Fails while notices are held back unsent (too many in one run, or no date): check them, then "
        "run `release_held_notices_job` to send them or `discard_held_notices_job` to drop them."
    ),
)
def no_notices_held(mongo: MongoResource) -> dg.AssetCheckResult:
    held = read_held(mongo.db())
    reasons = sorted({notice.reason for notice in held})
    metadata: dict[str, Any] = {"held": len(held)}
    if held:
        metadata["reasons"] = dg.MetadataValue.md(md_bullets(reasons, EXAMPLES_SHOWN))
        metadata["examples"] = dg.MetadataValue.md(
            md_bullets([f"`{notice.notice_id}`" for notice in held], EXAMPLES_SHOWN)
        )
        metadata["to_release"] = "launch release_held_notices_job (or discard_held_notices_job)"
    return dg.AssetCheckResult(passed=not held, metadata=metadata)
