"""Placement statistics over the offers collected from the placement office's e-mails.

Enrollment numbers map to branches through fixed ranges of the 2022 intake; JUIT, M.Tech and unknown enrollments are reported but kept
out of the college-wide figures; a student's package is their own, else their role's, else the
offer's; packages are compared per student (their best offer). Also:

* a student listed twice by the same company (a re-sent mail, a merged offer) is one offer, not two;
* role names are matched case- and space-insensitively when a student's package comes from the role;
* the companies count only companies with at least one selected student, and every figure says what
  it is computed over;
* malformed documents (missing lists, strings where numbers belong) are tolerated, never fatal.

Pure functions: no I/O, no Dagster.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from statistics import median
from typing import Any

# (start inclusive, end exclusive) enrollment ranges of the tracked intake, and its student totals.
BRANCH_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "CSE": ((22103000, 22104000), (9922103000, 9922104000)),
    "ECE": ((22102000, 22103000), (9922102000, 9922103000)),
    "IT": ((22104000, 22105000),),
    "BT": ((22101000, 22102000),),
    "Intg. MTech": ((21803000, 21804000), (21802000, 21803000), (21801000, 21802000)),
}
BRANCH_TOTALS: dict[str, int] = {"CSE": 612, "ECE": 387, "IT": 66, "BT": 47, "Intg. MTech": 41}
TOTAL_ELIGIBLE = sum(BRANCH_TOTALS.values())  # 1153
OTHER, JUIT, MTECH = "Other", "JUIT", "MTech"
EXCLUDED_BRANCHES = frozenset({OTHER, JUIT, MTECH})
BRANCH_ORDER = (*BRANCH_TOTALS, MTECH, JUIT, OTHER)

_LETTER = re.compile(r"[A-Za-z]")
_NON_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"\s+")


def branch_of(enrollment: str | None) -> str:
    """The branch an enrollment number belongs to (prefixes tried in order; placeholders -> Other)."""
    text = (enrollment or "").strip()
    if not text:
        return OTHER
    digits = _NON_DIGIT.sub("", text)
    # Placeholders such as "N/A" or "TBD" carry no digits: unknown, not JUIT as the old rule had it.
    if not digits:
        return OTHER
    if _LETTER.search(text) or len(digits) == 9:
        return JUIT
    if digits.startswith("24"):
        return MTECH
    number = int(digits)
    for branch, ranges in BRANCH_RANGES.items():
        if any(start <= number < end for start, end in ranges):
            return branch
    return OTHER


def _number(value: Any) -> float | None:
    """A positive LPA figure, or None (strings such as "12.5" are accepted, junk is not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int | float) and value == value and 0 < value < 10_000:
        return float(value)
    return None


def _text(value: Any) -> str:
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else ""


def _role_key(role: str) -> str:
    return role.casefold()


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True)
class OfferRow:
    """One student selected by one company (after de-duplication)."""

    company: str
    name: str
    enrollment_number: str
    role: str
    package: float | None
    branch: str

    @property
    def student_key(self) -> str:
        """Who the student is: the enrollment number, else the name (for rows without one)."""
        return self.enrollment_number or f"name:{self.name.casefold()}"


def student_package(student: Mapping[str, Any], roles: Sequence[Mapping[str, Any]]) -> float | None:
    """The student's own package, else their role's, else the only role's, else the best role's."""
    own = _number(student.get("package"))
    if own is not None:
        return own
    role_packages = [(_role_key(_text(role.get("role"))), _number(role.get("package"))) for role in roles]
    student_role = _role_key(_text(student.get("role")))
    if student_role:
        for name, package in role_packages:
            if name == student_role and package is not None:
                return package
    known = [package for _, package in role_packages if package is not None]
    if len(role_packages) == 1:
        return known[0] if known else None
    return max(known) if known else None


def offer_rows(offers: Iterable[Mapping[str, Any]]) -> list[OfferRow]:
    """Every selected student as a row; a student listed twice by one company counts once (best package)."""
    rows: dict[tuple[str, str], OfferRow] = {}
    for offer in offers:
        company = _text(offer.get("company")) or _text(offer.get("_id"))
        if not company:
            continue
        roles = _dicts(offer.get("roles"))
        for student in _dicts(offer.get("students_selected")):
            enrollment = _text(student.get("enrollment_number"))
            name = _text(student.get("name"))
            if not enrollment and not name:
                continue
            row = OfferRow(
                company=company,
                name=name,
                enrollment_number=enrollment,
                role=_text(student.get("role")),
                package=student_package(student, roles),
                branch=branch_of(enrollment),
            )
            key = (company, row.student_key)
            previous = rows.get(key)
            if previous is None or (row.package or 0) > (previous.package or 0):
                rows[key] = row
    return list(rows.values())


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass(frozen=True)
class PackageSummary:
    """Average, median and highest of a list of LPA figures (None when there is none)."""

    count: int
    average: float | None
    median: float | None
    highest: float | None

    @classmethod
    def of(cls, packages: Iterable[float | None]) -> PackageSummary:
        values = [value for value in packages if value is not None and value > 0]
        if not values:
            return cls(0, None, None, None)
        return cls(
            len(values), _round(sum(values) / len(values)), _round(median(values)), _round(max(values))
        )


@dataclass(frozen=True)
class CompanyStats:
    """One company: ``offers`` = announced offers or students named, whichever is larger."""

    company: str
    offers: int
    students: int
    roles: tuple[str, ...]
    average_package: float | None
    median_package: float | None
    highest_package: float | None


@dataclass(frozen=True)
class BranchStats:
    branch: str
    offers: int
    students_placed: int
    total_students: int | None
    average_package: float | None
    median_package: float | None
    highest_package: float | None
    placement_percentage: float | None


@dataclass(frozen=True)
class OverallStats:
    """College-wide figures over students of the tracked branches (JUIT, M.Tech and unknown excluded)."""

    students_placed: int
    companies: int
    total_offers: int
    average_package: float | None
    median_package: float | None
    highest_package: float | None
    placement_percentage: float
    total_eligible_students: int
    excluded_students: int


@dataclass(frozen=True)
class PlacementStats:
    overall: OverallStats
    companies: tuple[CompanyStats, ...]
    branches: tuple[BranchStats, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for company in data["companies"]:
            company["roles"] = list(company["roles"])
        data["companies"] = list(data["companies"])
        data["branches"] = list(data["branches"])
        return data


def _percentage(part: int, whole: int) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def _best_per_student(rows: Iterable[OfferRow]) -> dict[str, float | None]:
    """Each student's best package (None when none of their offers states one)."""
    best: dict[str, float | None] = {}
    for row in rows:
        current = best.get(row.student_key)
        if row.package is not None and (current is None or row.package > current):
            best[row.student_key] = row.package
        else:
            best.setdefault(row.student_key, current)
    return best


def _company_stats(
    company: str, rows: Sequence[OfferRow], offer_roles: set[str], announced: int
) -> CompanyStats:
    summary = PackageSummary.of(row.package for row in rows)
    # One spelling per role ("Analyst" in the offer, "analyst" on a student row): the offer's wins.
    roles: dict[str, str] = {}
    for role in [*sorted(offer_roles), *(row.role for row in rows)]:
        if role:
            roles.setdefault(role.casefold(), role)
    return CompanyStats(
        company=company,
        # The mail may announce more offers than it names students (e.g. "12 offers, list to follow").
        offers=max(len(rows), announced),
        students=len({row.student_key for row in rows}),
        roles=tuple(sorted(roles.values(), key=str.casefold)),
        average_package=summary.average,
        median_package=summary.median,
        highest_package=summary.highest,
    )


def _branch_stats(branch: str, rows: Sequence[OfferRow]) -> BranchStats:
    best = _best_per_student(rows)
    summary = PackageSummary.of(best.values())
    total = BRANCH_TOTALS.get(branch)
    return BranchStats(
        branch=branch,
        offers=len(rows),
        students_placed=len(best),
        total_students=total,
        average_package=summary.average,
        median_package=summary.median,
        highest_package=summary.highest,
        placement_percentage=_percentage(len(best), total) if total else None,
    )


def calculate_placement_stats(offers: Iterable[Mapping[str, Any]]) -> PlacementStats:
    """Per-company, per-branch and college-wide figures from ``email_placement_offers`` documents."""
    offers = list(offers)
    rows = offer_rows(offers)

    roles_by_company: dict[str, set[str]] = defaultdict(set)
    announced: dict[str, int] = defaultdict(int)
    for offer in offers:
        company = _text(offer.get("company")) or _text(offer.get("_id"))
        declared = offer.get("number_of_offers")
        if isinstance(declared, int) and not isinstance(declared, bool) and 0 < declared < 100_000:
            announced[company] += declared
        roles_by_company[company].update(
            role for role in (_text(item.get("role")) for item in _dicts(offer.get("roles"))) if role
        )
    by_company: dict[str, list[OfferRow]] = defaultdict(list)
    by_branch: dict[str, list[OfferRow]] = defaultdict(list)
    for row in rows:
        by_company[row.company].append(row)
        by_branch[row.branch].append(row)

    companies = sorted(
        (
            _company_stats(name, company_rows, roles_by_company[name], announced[name])
            for name, company_rows in by_company.items()
        ),
        key=lambda stats: (-stats.offers, stats.company.casefold()),
    )
    branches = tuple(
        _branch_stats(branch, by_branch[branch]) for branch in BRANCH_ORDER if by_branch.get(branch)
    )

    tracked = [row for row in rows if row.branch not in EXCLUDED_BRANCHES]
    best = _best_per_student(tracked)
    summary = PackageSummary.of(best.values())
    excluded_students = {row.student_key for row in rows if row.branch in EXCLUDED_BRANCHES}
    overall = OverallStats(
        students_placed=len(best),
        companies=len(by_company),
        total_offers=len(tracked),
        average_package=summary.average,
        median_package=summary.median,
        highest_package=summary.highest,
        placement_percentage=_percentage(len(best), TOTAL_ELIGIBLE),
        total_eligible_students=TOTAL_ELIGIBLE,
        excluded_students=len(excluded_students),
    )
    return PlacementStats(overall=overall, companies=tuple(companies), branches=branches)


# Markdown for the Dagster UI -----------------------------------------------------------------


def _lpa(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def overall_markdown(stats: PlacementStats) -> str:
    o = stats.overall
    lines = [
        "| Figure | Value |",
        "|---|---|",
        f"| Students placed (tracked branches) | {o.students_placed} |",
        f"| Placement percentage (of {o.total_eligible_students}) | {o.placement_percentage:g}% |",
        f"| Offers (tracked branches) | {o.total_offers} |",
        f"| Companies | {o.companies} |",
        f"| Average package (LPA, best per student) | {_lpa(o.average_package)} |",
        f"| Median package (LPA) | {_lpa(o.median_package)} |",
        f"| Highest package (LPA) | {_lpa(o.highest_package)} |",
        f"| Students outside tracked branches (JUIT, M.Tech, unknown) | {o.excluded_students} |",
    ]
    return "\n".join(lines)


def companies_markdown(stats: PlacementStats, limit: int = 50) -> str:
    lines = [
        "| Company | Offers | Students | Roles | Average | Median | Highest |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in stats.companies[:limit]:
        roles = ", ".join(c.roles) or "–"
        lines.append(
            f"| {_cell(c.company)} | {c.offers} | {c.students} | {_cell(roles)} | "
            f"{_lpa(c.average_package)} | {_lpa(c.median_package)} | {_lpa(c.highest_package)} |"
        )
    if len(stats.companies) > limit:
        lines.append(f"| … {len(stats.companies) - limit} more | | | | | | |")
    return "\n".join(lines)


def branches_markdown(stats: PlacementStats) -> str:
    lines = [
        "| Branch | Students placed | Of | Placed % | Offers | Average | Median | Highest |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for b in stats.branches:
        total = "–" if b.total_students is None else str(b.total_students)
        share = "–" if b.placement_percentage is None else f"{b.placement_percentage:g}%"
        lines.append(
            f"| {b.branch} | {b.students_placed} | {total} | {share} | {b.offers} | "
            f"{_lpa(b.average_package)} | {_lpa(b.median_package)} | {_lpa(b.highest_package)} |"
        )
    return "\n".join(lines)
