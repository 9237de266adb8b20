"""Benchmark 5: parsing throughput and the import time of the code location.

* e-mails: every message of ``jiit_assets_tests/email/corpus`` through decoding, the offer decision,
  offer extraction and the notice rules (what the e-mail assets run per message);
* official pages: the college-site stand-in's pages through ``parse_official_page``;
* SuperSet notices: every fixture notice through the notice rules (classification, students, job
  link) and the Telegram/Web Push rendering (what the ``notices`` asset runs per notice);
* import time of ``jiit_assets.definitions`` in a fresh interpreter (and ``-X importtime``'s
  heaviest packages).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jiit_assets.defs.email.classification import classify_email
from jiit_assets.defs.email.email_notices import classify_notice, notice_content
from jiit_assets.defs.email.message import EmailDecodeError, decode_email
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets.defs.notices.render import render_notice
from jiit_assets.defs.notices.rules import JobSummary, superset_notice_content
from jiit_assets.defs.official.page import parse_official_page
from jiit_assets_tests.bench.common import Bench, Section, Target, median, spread, table
from jiit_assets_tests.bench.data import FIXTURE_NOTICES, job_document, portal_jobs, raw_notice_document
from jiit_assets_tests.email.corpus_table import CORPUS
from jiit_assets_tests.email.pathological import as_mail, as_portal_notice, pathological_bodies
from jiit_assets_tests.fixtures.servers import REPO_ROOT

MIN_SECONDS = 1.0  # each measurement loops over its inputs for at least this long
IMPORT_RUNS = 5


def _email(raw: bytes) -> str:
    try:
        mail = decode_email(raw)
    except EmailDecodeError:
        return "undecodable"  # recorded with its reason by the e-mail asset, as here
    decision = decide_offer(mail.subject, mail.text)
    if decision.is_offer:
        extracted = extract_offer(
            mail.subject, mail.text, message_key=mail.message_key, time_sent=mail.sent_at
        )
        if extracted.offer is not None:
            return "offer"
    notice = classify_notice(mail.subject, mail.text)
    if notice.notice_type is None:
        return "skipped"
    notice_content(mail, notice.notice_type)
    return "notice"


def _throughput(items: Sequence[Any], work: Callable[[Any], object], repeats: int) -> list[float]:
    """Items per second, one value per repetition (each loops over ``items`` for ``MIN_SECONDS``)."""
    rates = []
    for _ in range(repeats):
        done = 0
        start = time.perf_counter()
        while True:
            for item in items:
                work(item)
            done += len(items)
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_SECONDS:
                break
        rates.append(done / elapsed)
    return rates


def _import_times(runs: int) -> tuple[list[float], list[float]]:
    code = (
        "import time; t = time.perf_counter(); import jiit_assets.definitions; print(time.perf_counter() - t)"
    )
    imports, processes = [], []
    for _ in range(runs):
        start = time.perf_counter()
        output = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout
        processes.append(time.perf_counter() - start)
        imports.append(float(output.strip().splitlines()[-1]))
    return imports, processes


def _heaviest_packages(limit: int = 8) -> list[tuple[str, float]]:
    """Packages by their outermost import's cumulative time, from one ``-X importtime`` run.

    Cumulative times nest (dagster's includes pydantic's), so the numbers overlap by design.
    """
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import jiit_assets.definitions"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| \s*(\S+)", line)
        if match:
            name = match.group(2).split(".")[0]
            totals[name] = max(totals.get(name, 0.0), int(match.group(1)) / 1e6)
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)[:limit]


def _pathological_times() -> list[list[str]]:
    rows = []
    for name, body in pathological_bodies():
        mail, notice = as_mail(name, body), as_portal_notice(name, body)
        mail_seconds = notice_seconds = 0.0
        for _ in range(3):
            start = time.perf_counter()
            classify_email(decode_email(mail))
            mail_seconds = max(mail_seconds, time.perf_counter() - start)
            start = time.perf_counter()
            superset_notice_content(notice, [])
            notice_seconds = max(notice_seconds, time.perf_counter() - start)
        rows.append([name, f"{mail_seconds * 1000:.1f} ms", f"{notice_seconds * 1000:.1f} ms"])
    return rows


def run(bench: Bench) -> Section:
    section = Section("5. Parsing throughput and import time")
    repeats = bench.repeats
    emails = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    kinds = {name: 0 for name in ("offer", "notice", "skipped", "undecodable")}
    for raw in emails:
        kinds[_email(raw)] += 1
    pages_dir = resources.files("jiit_assets_tests.standins").joinpath("data", "college_site")
    pages = [
        pages_dir.joinpath(name).read_text("utf-8")
        for name in ("normal.html", "changed.html", "redesigned.html", "no_figures.html")
    ]
    base_url = "https://www.jiit.ac.in/training-placement"
    now = datetime.now(UTC)
    jobs = [
        JobSummary.from_document(job_document(job, now))
        for job in portal_jobs(19, "p", include_fixtures=True)
    ]
    notices = [raw_notice_document(item["notice"], now) for item in FIXTURE_NOTICES]

    def superset(raw: dict[str, Any]) -> object:
        return render_notice(superset_notice_content(raw, jobs))

    email_rates = _throughput(emails, _email, repeats)
    page_rates = _throughput(pages, lambda page: parse_official_page(page, base_url), repeats)
    notice_rates = _throughput(notices, superset, repeats)
    imports, processes = _import_times(1 if bench.quick else IMPORT_RUNS)
    hostile = _pathological_times()
    heaviest = _heaviest_packages()

    email_bytes = sum(map(len, emails)) / len(emails)
    section.add(
        f"Pure functions in this process, each looping over its inputs for at least {MIN_SECONDS:g} s per "
        f"repetition ({repeats} repetitions, median and range):",
        "",
        *table(
            ["input", "items", "throughput"],
            [
                [
                    "e-mails: `decode_email` → `decide_offer` → `extract_offer` / `classify_notice` → "
                    "`notice_content`",
                    f"{len(emails)} corpus messages ({kinds['offer']} offers, {kinds['notice']} notices, "
                    f"{kinds['skipped']} skipped, {kinds['undecodable']} undecodable; mean {email_bytes / 1024:.1f} KiB)",
                    spread(email_rates, "e-mails/s", 0),
                ],
                [
                    "official pages: `parse_official_page`",
                    f"{len(pages)} college-site pages (normal, changed, redesigned, no figures; "
                    f"mean {sum(map(len, pages)) / len(pages) / 1024:.0f} KiB)",
                    spread(page_rates, "pages/s", 0),
                ],
                [
                    "SuperSet notices: `superset_notice_content` (rules, students, job link against "
                    f"{len(jobs)} jobs) → `render_notice`",
                    f"{len(notices)} fixture notices of every type",
                    spread(notice_rates, "notices/s", 0),
                ],
            ],
        ),
        "",
        "Pathological inputs (about 80,000 characters each, built to make regular expressions "
        "backtrack; `jiit_assets_tests/email/pathological.py`): the slowest of three reads of each, "
        "as an e-mail (`decode_email` → `classify_email`) and as a portal notice "
        "(`superset_notice_content`):",
        "",
        *table(["input", "e-mail", "portal notice"], hostile),
        "",
        f"Import of the code location (`import jiit_assets.definitions` in a fresh interpreter, "
        f"{len(imports)} runs): {spread(imports, 's', 2)}; the whole `python -c` process including "
        f"interpreter start: {spread(processes, 's', 2)}. Heaviest packages by the cumulative time of "
        "their outermost import (one `python -X importtime` run; nested, so they overlap: dagster's "
        "includes pydantic's):",
        "",
        *table(
            ["package", "cumulative import time"], [[name, f"{seconds:.3f} s"] for name, seconds in heaviest]
        ),
    )
    section.targets = [
        Target(
            "Parsing throughput",
            "reported (no target set)",
            f"{median(email_rates):.0f} e-mails/s, {median(page_rates):.0f} official pages/s, "
            f"{median(notice_rates):.0f} SuperSet notices/s",
            True,
        ),
        Target(
            "Code location import",
            "reported (no target set)",
            f"{median(imports):.2f} s",
            True,
            "mostly dagster itself (see section 5)",
        ),
    ]
    return section
