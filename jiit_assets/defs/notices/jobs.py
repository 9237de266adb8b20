"""The fields of a stored job (``enriched_jobs``) that a portal notice needs to link and describe it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jiit_assets.defs.superset.portal_jobs import MAX_PACKAGE_RUPEES
from jiit_assets.lib.ranges import bounded_number
from jiit_assets.lib.text import company_key, format_lpa, from_epoch_ms


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class JobSummary:
    """The fields of an ``enriched_jobs`` document a notice needs to link and describe its job."""

    id: str
    company: str
    job_profile: str = ""
    company_key: str = ""
    package: float = 0.0  # rupees per annum, or per month when monthly
    monthly: bool = False
    deadline: datetime | None = None
    location: str | None = None
    hiring_flow: tuple[str, ...] = ()
    created_at_ms: int = 0

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> JobSummary:
        company = str(document.get("company") or "")
        package = document.get("package")
        if not isinstance(package, int | float) or isinstance(package, bool):
            package = 0.0
        # A placeholder or unit error (1e20 rupees) is no package at all.
        package = bounded_number(float(package), MAX_PACKAGE_RUPEES) or 0.0
        location = str(document.get("location") or "").strip()
        created = document.get("createdAt")
        return cls(
            id=str(document.get("id") or document.get("_id") or ""),
            company=company,
            job_profile=str(document.get("job_profile") or ""),
            company_key=str(document.get("company_key") or company_key(company)),
            package=float(package),
            monthly=str(document.get("annum_months") or "").strip().lower().startswith("m"),
            deadline=from_epoch_ms(document.get("deadline")),
            location=location if location and location.lower() != "unknown" else None,
            hiring_flow=tuple(str(stage) for stage in _as_list(document.get("hiring_flow")) if stage),
            created_at_ms=int(created) if isinstance(created, int) and not isinstance(created, bool) else 0,
        )

    @property
    def package_lpa(self) -> float | None:
        """Annual package in lakh rupees; monthly stipends are annualised (12 months)."""
        if self.package <= 0:
            return None
        return round(self.package * (12 if self.monthly else 1) / 100_000, 2)

    @property
    def package_text(self) -> tuple[str, str] | None:
        """("CTC", "₹12 LPA") or ("Stipend", "₹25,000 per month"); None when the portal gave no package."""
        if self.package <= 0:
            return None
        if self.monthly:
            amount = f"{self.package:,.2f}".rstrip("0").rstrip(".")
            return "Stipend", f"₹{amount} per month"
        text = format_lpa(self.package / 100_000)
        return ("CTC", text) if text else None
