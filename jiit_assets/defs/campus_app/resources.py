"""Where the campus web app's collections live: ``CAMPUS_APP_DATABASE`` on the pipeline's server."""

from __future__ import annotations

import re

import dagster as dg
from pymongo.collection import Collection

from jiit_assets.lib.mongo import Document, MongoConfigError, MongoResource


class CampusAppResource(dg.ConfigurableResource):
    """The database the campus web app reads (empty: the pipeline's own database)."""

    mongo: MongoResource
    database: str = ""

    @property
    def database_name(self) -> str:
        name = self.database.strip() or self.mongo.database
        if re.search(r"[/\\. \"$]", name):
            raise MongoConfigError(f"CAMPUS_APP_DATABASE {name!r} is not a valid database name.")
        return name

    def collection(self, name: str) -> Collection[Document]:
        """A serving collection, with its indexes ensured (unique natural keys)."""
        return self.mongo.collection(name, database=self.database_name)

    def index_problems(self, name: str) -> list[str]:
        """Indexes of a serving collection that could not be created (duplicates in an older database)."""
        return self.mongo.index_problems().get(f"{self.database_name}.{name}", [])
