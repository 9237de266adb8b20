"""The MongoDB resource and the IO manager that stores asset outputs as documents.

Every collection is reached through :class:`MongoResource`, which validates the connection string,
connects lazily with short timeouts, and creates each collection's indexes (from
``jiit_assets.collections.INDEXES``) the first time that collection is used in a process.

:class:`MongoIOManager` writes an asset's output to the collection named after the asset as a
batch of unordered ``$set`` upserts keyed by ``_id``: re-running a materialization or a backfill
converges on the same documents and reports how many were inserted, updated or unchanged. It never
drops, replaces or deletes: collections that carry delivery state survive any re-materialization.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote

import dagster as dg
from pydantic import PrivateAttr
from pymongo import MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import ConfigurationError, InvalidURI, PyMongoError, ServerSelectionTimeoutError

from jiit_assets.collections import INDEXES

DEFAULT_MONGODB_URI = "mongodb://127.0.0.1:27017/"
DEFAULT_MONGODB_DATABASE = "jiit_placement"
WRITE_BATCH_SIZE = 1000

# Definition metadata key: fields an asset writes only when a document is first inserted
# (first-seen times, initial delivery state), so re-runs do not count as updates.
INSERT_ONLY_FIELDS = "mongo/insert_only_fields"

Document = dict[str, Any]


class MongoConfigError(dg.Failure):
    """The MongoDB settings are wrong or the server cannot be reached. Never carries secrets."""

    def __init__(self, description: str) -> None:
        super().__init__(description=description, allow_retries=False)


@runtime_checkable
class MongoDocumentModel(Protocol):
    """A typed document (dataclass or pydantic model) that knows its stored shape."""

    def to_document(self) -> Document: ...


_CREDENTIALS = re.compile(r"(?P<scheme>mongodb(?:\+srv)?://)(?P<userinfo>[^@/]*)@", re.IGNORECASE)


def redact_uri(uri: str) -> str:
    """The URI with any password replaced by ``***`` (the user name is kept: it helps debugging)."""

    def _mask(match: re.Match[str]) -> str:
        user = match.group("userinfo").split(":", 1)[0]
        return f"{match.group('scheme')}{user}:***@"

    return _CREDENTIALS.sub(_mask, uri)


def _strip_secrets(message: str, uri: str) -> str:
    """Remove the URI's password from a driver message, whatever form the driver echoed it in."""
    cleaned = redact_uri(message)
    match = _CREDENTIALS.search(uri)
    if match and ":" in match.group("userinfo"):
        password = match.group("userinfo").split(":", 1)[1]
        for form in {password, unquote(password)}:
            if form:
                cleaned = cleaned.replace(form, "***")
    return cleaned


def hosts_of(uri: str) -> str:
    """The host list of a MongoDB URI, for error messages (no credentials, no options)."""
    without_scheme = re.sub(r"^mongodb(\+srv)?://", "", uri, flags=re.IGNORECASE)
    hostpart = without_scheme.split("/", 1)[0].split("?", 1)[0]
    return hostpart.rsplit("@", 1)[-1] or "(no host)"


class MongoResource(dg.ConfigurableResource):
    """MongoDB database holding every jiit-assets collection (FerretDB locally, any MongoDB in production)."""

    uri: str = DEFAULT_MONGODB_URI
    database: str = DEFAULT_MONGODB_DATABASE
    server_selection_timeout_ms: int = 5000

    _client: MongoClient[Document] | None = PrivateAttr(default=None)
    _indexed: set[str] = PrivateAttr(default_factory=set)
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
            detail = _strip_secrets(str(error), self.uri)
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
                f"{_strip_secrets(str(error), self.uri)[:300]}"
            ) from None

    def collection(self, name: str) -> Collection[Document]:
        """A collection, with its indexes ensured once per process."""
        collection = self.db()[name]
        if name not in self._indexed:
            models = INDEXES.get(name, [])
            if models:
                try:
                    collection.create_indexes(models)
                except ServerSelectionTimeoutError:
                    self.ping()
                    raise
            self._indexed.add(name)
        return collection

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._indexed.clear()


@dataclass(frozen=True)
class UpsertCounts:
    """What a batch of upserts did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )

    def as_metadata(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def as_document(item: Mapping[str, Any] | MongoDocumentModel) -> Document:
    document = item.to_document() if isinstance(item, MongoDocumentModel) else dict(item)
    if "_id" not in document:
        raise ValueError(f"document without a natural _id: keys {sorted(document)[:8]}")
    return document


def _chunks(items: Sequence[UpdateOne], size: int) -> Iterator[Sequence[UpdateOne]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_documents(
    collection: Collection[Document],
    documents: Iterable[Mapping[str, Any] | MongoDocumentModel],
    insert_only_fields: Iterable[str] = (),
) -> UpsertCounts:
    """Upsert documents by ``_id`` with unordered bulk writes; fields not given are left as they are."""
    insert_only = frozenset(insert_only_fields)
    operations: list[UpdateOne] = []
    seen: set[Any] = set()
    for item in documents:
        document = as_document(item)
        doc_id = document.pop("_id")
        if doc_id in seen:
            raise ValueError(f"duplicate _id {doc_id!r} in one batch for {collection.name}")
        seen.add(doc_id)
        update: dict[str, Any] = {}
        to_set = {key: value for key, value in document.items() if key not in insert_only}
        on_insert = {key: value for key, value in document.items() if key in insert_only}
        if to_set:
            update["$set"] = to_set
        if on_insert:
            update["$setOnInsert"] = on_insert
        if not update:
            update["$setOnInsert"] = {}
        operations.append(UpdateOne({"_id": doc_id}, update, upsert=True))
    counts = UpsertCounts()
    for chunk in _chunks(operations, WRITE_BATCH_SIZE):
        result = collection.bulk_write(list(chunk), ordered=False)
        counts = counts + UpsertCounts(
            inserted=result.upserted_count,
            updated=result.modified_count,
            unchanged=result.matched_count - result.modified_count,
        )
    return counts


class MongoIOManager(dg.ConfigurableIOManager):
    """Stores an asset's documents in the MongoDB collection named after the asset (upserts by _id)."""

    mongo: MongoResource

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        if obj is None:
            return
        if isinstance(obj, Mapping) or isinstance(obj, MongoDocumentModel):
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
