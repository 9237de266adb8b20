"""The MongoDB resource and the IO manager that stores asset outputs as documents.

Every collection is reached through :class:`MongoResource`, which validates the connection string,
connects lazily with short timeouts, and creates each collection's indexes (from
``jiit_assets.lib.schema.INDEXES``) the first time that collection is used in a process.

:class:`MongoIOManager` writes an asset's output to the collection named after the asset as a
batch of unordered ``$set`` upserts keyed by ``_id``: re-running a materialization or a backfill
converges on the same documents and reports how many were inserted, updated or unchanged. It never
drops, replaces or deletes: collections that carry delivery state survive any re-materialization.

The persistence rule: an asset that recomputes its whole set of documents from what is stored
(``placement_stats``) returns them, and this IO manager upserts them. Every other asset writes
through :class:`MongoResource` itself, because its writes are incremental and their order is its
crash safety (e-mail: revisions, results, ledger, then the seen flag; the queue: outbox entry
before the notice; delivery: intent before a send, outcome after); each says why where it writes.

The batched writes themselves (``upsert_documents``, ``write_known``, ``bulk_write_chunked``) are in
``mongo_writes.py``, free of Dagster, so plain domain modules can use them.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg
from pydantic import PrivateAttr
from pymongo import IndexModel, MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import (
    ConfigurationError,
    InvalidURI,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from jiit_assets.lib.mongo_uri import hosts_of as hosts_of
from jiit_assets.lib.mongo_uri import redact_uri as redact_uri
from jiit_assets.lib.mongo_uri import strip_secrets
from jiit_assets.lib.mongo_writes import DUPLICATE_KEY, MongoDocumentModel
from jiit_assets.lib.mongo_writes import UPDATE_BATCH_SIZE as UPDATE_BATCH_SIZE
from jiit_assets.lib.mongo_writes import Document as Document
from jiit_assets.lib.mongo_writes import upsert_documents as upsert_documents
from jiit_assets.lib.schema import INDEXES

DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"
DEFAULT_MONGODB_DATABASE = "jiit_placement"
_INDEX_OPTIONS_CONFLICT = 85
_INDEX_KEY_SPECS_CONFLICT = 86
_LOG = logging.getLogger("jiit_assets.mongo")

# Definition metadata key: fields an asset writes only when a document is first inserted
# (first-seen times, initial delivery state), so re-runs do not count as updates.
INSERT_ONLY_FIELDS = "mongo/insert_only_fields"


class MongoConfigError(dg.Failure):
    """The MongoDB settings are wrong or the server cannot be reached. Never carries secrets."""

    def __init__(self, description: str) -> None:
        super().__init__(description=description, allow_retries=False)


def _key_of(spec: Any) -> tuple[tuple[str, Any], ...]:
    """An index's key pattern, comparable across servers (``1`` and ``1.0`` are the same direction)."""
    items = spec.items() if isinstance(spec, Mapping) else spec
    return tuple(
        (str(field), int(direction) if isinstance(direction, float) else direction)
        for field, direction in items
    )


def ensure_indexes(collection: Collection[Document], models: Sequence[IndexModel]) -> list[str]:
    """Create the indexes a collection lacks; return what could not be done instead of raising.

    An index with the same keys already there counts whatever its name (an older deployment may
    call it ``createdAt_-1`` or ``chat_id_1``). A unique index that existing duplicates block, or an
    index whose name or options clash with an existing one, is reported and skipped: the
    collection stays usable, and the caller says what an operator must clean up.
    """
    existing = {_key_of(info["key"]): info for info in collection.index_information().values()}
    problems: list[str] = []
    for model in models:
        spec = model.document
        same = existing.get(_key_of(spec["key"]))
        if same is not None:
            if spec.get("unique") and not same.get("unique"):
                problems.append(
                    f"an index on {_fields(spec)} exists but is not unique; drop it so {spec['name']!r} "
                    "can be created unique"
                )
            continue
        try:
            # One index per command: FerretDB v1 drops the connection when a multi-index
            # createIndexes names indexes that already exist.
            collection.create_indexes([model])
        except OperationFailure as error:
            if _is_duplicate_key(error):
                problems.append(
                    f"unique index {spec['name']!r} on {_fields(spec)} not created: some documents share a "
                    f"value; remove the duplicates (the index is retried on the next start)"
                )
            elif error.code in (_INDEX_OPTIONS_CONFLICT, _INDEX_KEY_SPECS_CONFLICT):
                problems.append(f"index {spec['name']!r} on {_fields(spec)} clashes with an existing index")
            else:
                raise
    return problems


def _is_duplicate_key(error: OperationFailure) -> bool:
    # MongoDB answers 11000; FerretDB v1 passes SQLite's constraint error through as InternalError.
    return error.code == DUPLICATE_KEY or "UNIQUE constraint failed" in str(error)


def _fields(spec: Mapping[str, Any]) -> str:
    return ", ".join(str(field) for field, _ in _key_of(spec["key"]))


class MongoResource(dg.ConfigurableResource):
    """MongoDB database holding every jiit-assets collection (FerretDB locally, any MongoDB in production)."""

    uri: str = DEFAULT_MONGODB_URI
    database: str = DEFAULT_MONGODB_DATABASE
    server_selection_timeout_ms: int = 5000

    _client: MongoClient[Document] | None = PrivateAttr(default=None)
    _indexed: set[str] = PrivateAttr(default_factory=set)
    _index_problems: dict[str, list[str]] = PrivateAttr(default_factory=dict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def _connect(self) -> MongoClient[Document]:
        if not re.match(r"^mongodb(\+srv)?://", self.uri.strip(), flags=re.IGNORECASE):
            raise MongoConfigError(
                "MONGODB_URI must start with mongodb:// or mongodb+srv:// "
                f"(got something starting with {self.uri.strip()[:10]!r}...)."
                if self.uri.strip()
                else "MONGODB_URI is empty: set it to a mongodb:// or mongodb+srv:// connection string."
            )
        if not self.database or re.search(r"[/\\. \"$]", self.database):
            raise MongoConfigError(f"MONGODB_DATABASE {self.database!r} is not a valid database name.")
        timeout = self.server_selection_timeout_ms
        try:
            return MongoClient(
                self.uri,
                serverSelectionTimeoutMS=timeout,
                connectTimeoutMS=timeout,
                socketTimeoutMS=max(30_000, timeout),
                appname="jiit-assets",
                tz_aware=True,
            )
        except (InvalidURI, ConfigurationError, ValueError, TypeError) as error:
            detail = strip_secrets(str(error), self.uri)
            raise MongoConfigError(
                f"MONGODB_URI is not a valid MongoDB connection string ({redact_uri(self.uri)}): {detail}"
            ) from None

    @property
    def client(self) -> MongoClient[Document]:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def db(self) -> Database[Document]:
        return self.client[self.database]

    def ping(self) -> None:
        """Fail fast, with the host named and the password left out, when the server is unreachable."""
        try:
            self.db().command("ping")
        except ServerSelectionTimeoutError:
            seconds = self.server_selection_timeout_ms / 1000
            raise MongoConfigError(
                f"Cannot reach MongoDB at {hosts_of(self.uri)} within {seconds:g} s "
                f"(database {self.database!r}). Is the server running? For the local one run `make db`."
            ) from None
        except PyMongoError as error:
            raise MongoConfigError(
                f"MongoDB at {hosts_of(self.uri)} refused the connection: "
                f"{strip_secrets(str(error), self.uri)[:300]}"
            ) from None

    def collection(self, name: str, database: str | None = None) -> Collection[Document]:
        """A collection (of ``database``, default the pipeline's), with its indexes ensured once per process."""
        target = self.client[database] if database else self.db()
        collection = target[name]
        key = f"{target.name}.{name}"
        if key not in self._indexed:
            models = INDEXES.get(name, [])
            if models:
                try:
                    for problem in ensure_indexes(collection, models):
                        self._index_problems[key] = [*self._index_problems.get(key, []), problem]
                        _LOG.warning(f"MongoDB index on {key}: {problem}")
                except ServerSelectionTimeoutError:
                    self.ping()
                    raise
            self._indexed.add(key)
        return collection

    def index_problems(self) -> dict[str, list[str]]:
        """Indexes this process could not create, by ``database.collection`` (see ``ensure_indexes``)."""
        return {key: list(problems) for key, problems in self._index_problems.items()}

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._indexed.clear()
            self._index_problems.clear()


class MongoIOManager(dg.ConfigurableIOManager):
    """Stores an asset's documents in the MongoDB collection named after the asset (upserts by _id)."""

    mongo: MongoResource

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        if isinstance(obj, Mapping | MongoDocumentModel):
            obj = [obj]
        if not isinstance(obj, Iterable) or isinstance(obj, str | bytes):
            raise TypeError(
                f"{context.asset_key.to_user_string()} returned {type(obj).__name__}; "
                "the MongoDB IO manager stores a list of documents"
            )
        name = context.asset_key.path[-1]
        collection = self.mongo.collection(name)
        insert_only = (context.definition_metadata or {}).get(INSERT_ONLY_FIELDS, [])
        counts = upsert_documents(collection, obj, insert_only)
        context.add_output_metadata(
            {
                **counts.as_metadata(),
                "collection": name,
                "documents_in_collection": collection.estimated_document_count(),
            }
        )

    def load_input(self, context: dg.InputContext) -> list[Document]:
        upstream = context.upstream_output
        if upstream is None or upstream.asset_key is None:
            raise TypeError("the MongoDB IO manager only loads asset inputs")
        name = upstream.asset_key.path[-1]
        return list(self.mongo.collection(name).find({}))
