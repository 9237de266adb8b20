"""What every benchmark shares: the database server, command counting, timing and the report shape."""

from __future__ import annotations

import os
import platform
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pymongo import monitoring

from jiit_assets.lib.mongo import MongoResource
from jiit_assets_tests.fixtures.servers import FERRETDB, REPO_ROOT, ferretdb_server

# Run config for in-process runs: Dagster's console logger would print every event at DEBUG.
QUIET_RUN_CONFIG: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# Bulk seeding of 1,000 large documents on a busy 2-core machine can exceed the default 30 s.
SOCKET_TIMEOUT_MS = 180_000


class CommandCounter(monitoring.CommandListener):
    """Counts MongoDB commands (round trips) by name while :meth:`counting` is active.

    Registered globally once (``pymongo.monitoring.register``), so it sees every client created
    afterwards, including the one a ``MongoResource`` builds inside a Dagster run.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = False
        self.counts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.micros: Counter[str] = Counter()  # server time (as the driver saw it) by command name
        # The same by "command collection" (e.g. "update notices"), to point at the costly one.
        self.by_collection: Counter[str] = Counter()
        self.micros_by_collection: Counter[str] = Counter()
        self._keys: dict[tuple[Any, int], str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self._active:
            target = event.command.get(event.command_name)
            key = f"{event.command_name} {target}" if isinstance(target, str) else event.command_name
            with self._lock:
                self.counts[event.command_name] += 1
                self.by_collection[key] += 1
                self._keys[(event.connection_id, event.request_id)] = key

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if self._active:
            with self._lock:
                self.micros[event.command_name] += event.duration_micros
                key = self._keys.pop((event.connection_id, event.request_id), event.command_name)
                self.micros_by_collection[key] += event.duration_micros

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        if self._active:
            with self._lock:
                self.micros[event.command_name] += event.duration_micros
                key = self._keys.pop((event.connection_id, event.request_id), event.command_name)
                self.micros_by_collection[key] += event.duration_micros
                self.failures[event.command_name] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        with self._lock:
            self.counts = Counter()
            self.failures = Counter()
            self.micros = Counter()
            self.by_collection = Counter()
            self.micros_by_collection = Counter()
            self._keys = {}
            self._active = True
        try:
            yield self.counts
        finally:
            with self._lock:
                self._active = False


COMMANDS = CommandCounter()
monitoring.register(COMMANDS)


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool
    note: str = ""


@dataclass
class Section:
    """One benchmark's part of BENCHMARKS.md."""

    title: str
    body: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, *lines: str) -> None:
        self.body.extend(lines)


@dataclass
class Bench:
    """Settings and the database server shared by the benchmarks of one ``make bench``."""

    mongo_uri: str
    repeats: int
    quick: bool
    # Measurements that take a minute or more each (by design or because of FerretDB scans) are
    # repeated this often instead, to keep `make bench` near 15 minutes on 2 cores.
    slow_repeats: int = 2

    @contextmanager
    def database(self, name: str) -> Iterator[MongoResource]:
        """A ``MongoResource`` on a fresh database, dropped afterwards."""
        resource = MongoResource(
            uri=self.mongo_uri,
            database=f"bench_{name}_{uuid.uuid4().hex[:8]}",
            server_selection_timeout_ms=SOCKET_TIMEOUT_MS,
        )
        try:
            yield resource
        finally:
            resource.client.drop_database(resource.database)
            resource.client.close()


@contextmanager
def ferretdb() -> Iterator[str]:
    """FerretDB (SQLite) on a free loopback port with a throw-away data directory, as the tests start it."""
    external = os.environ.get("JIIT_BENCH_MONGODB_URI")
    if external:
        yield external
        return
    if not FERRETDB.exists():
        raise SystemExit(f"{FERRETDB} is missing: run `make install` first")
    with (
        tempfile.TemporaryDirectory(prefix="jiit-bench-ferretdb-") as data_dir,
        ferretdb_server(Path(data_dir)) as uri,
    ):
        yield uri


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float], unit: str = "s", digits: int = 3) -> str:
    """``median (min–max, n runs)`` for a table cell."""
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f} {unit} (1 run)"
    return f"{median(values):.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f}, {len(values)} runs)"


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def machine() -> list[tuple[str, str]]:
    """The facts a reader needs to compare these numbers with another machine's."""
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", info, re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    memory = "unknown"
    try:
        found = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
        if found:
            memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    go_mod = (REPO_ROOT / "tools" / "ferretdb" / "go.mod").read_text()
    ferret = re.search(r"github.com/FerretDB/FerretDB (v\S+)", go_mod)
    load = os.getloadavg()
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("Memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("dagster", metadata.version("dagster")),
        ("pymongo", metadata.version("pymongo")),
        ("python-telegram-bot", metadata.version("python-telegram-bot")),
        ("pywebpush", metadata.version("pywebpush")),
        (
            "Database",
            f"FerretDB {ferret.group(1) if ferret else 'v1'} with its SQLite backend "
            "(`.tools/bin/ferretdb-sqlite`, built by `make install`), started by the benchmark on a "
            "free loopback port with a temporary data directory",
        ),
        ("Load average at start", f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (1, 5, 15 min)"),
    ]
