"""A subscriber's profile: what a student told us about themselves and what they want to receive.

One model for both channels (Telegram subscribers and browser push subscriptions). A missing
profile, or a field left unset, means "everything", so a student who only presses /start gets what
every student got before profiles existed. Values arrive from chat messages and web forms, so
``parse_settings`` validates every one and says in plain words what is wrong with a bad value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.text import company_key

MIN_BATCH, MAX_BATCH = 2000, 2100
MAX_CTC_LPA = 1000.0
MAX_MUTED_COMPANIES = 50
_ENROLLMENT = re.compile(r"\d{8,12}")
_BRANCH = re.compile(r"[A-Za-z][A-Za-z0-9&.\- ]{0,39}")


class ProfileError(ValueError):
    """A profile value a student sent is not acceptable; the message says why, for the student."""


class DigestMode(StrEnum):
    INSTANT = "instant"  # every notice as it arrives
    DAILY = "daily"  # one message a day listing the day's notices
    BOTH = "both"


def normalize_enrollment(text: str) -> str | None:
    """Digits of an enrollment number, or None when ``text`` is not one (8 to 12 digits)."""
    digits = re.sub(r"[\s\-/]", "", text or "")
    return digits if _ENROLLMENT.fullmatch(digits) else None


@dataclass(frozen=True)
class Profile:
    branch: str | None = None  # programme or branch as the portal names it, e.g. "CSE", "B.Tech ECE"
    batch: int | None = None  # graduation year
    enrollment: str | None = None  # normalised digits; personal mentions match on it
    categories: frozenset[NoticeType] = field(default_factory=frozenset)  # empty: every type
    min_ctc_lpa: float | None = None  # job postings below it are not sent
    muted_companies: frozenset[str] = field(default_factory=frozenset)  # company keys
    digest: DigestMode = DigestMode.INSTANT
    digest_hour: int = 20  # IST hour of the daily digest
    quiet_hours: bool = False  # hold instant messages between 23:00 and 07:00 IST
    reminders: bool = True  # deadline reminders

    def to_document(self) -> dict[str, Any]:
        data = asdict(self)
        data["categories"] = sorted(self.categories)
        data["muted_companies"] = sorted(self.muted_companies)
        data["digest"] = str(self.digest)
        return data

    @classmethod
    def from_document(cls, document: Mapping[str, Any] | None) -> Profile:
        """The stored profile; unknown or damaged fields fall back to their defaults."""
        if not isinstance(document, Mapping):
            return cls()
        settings = {key: value for key, value in document.items() if key in _FIELDS and value is not None}
        try:
            return parse_settings(settings)
        except ProfileError:
            return cls()


def _parse_branch(value: Any) -> str | None:
    text = " ".join(str(value).split())
    if not text or text.lower() in {"any", "all", "none", "-"}:
        return None
    if not _BRANCH.fullmatch(text):
        raise ProfileError("branch: use letters and digits only, e.g. CSE, ECE, IT or 'B.Tech CSE'.")
    return text


def _parse_batch(value: Any) -> int | None:
    if str(value).strip().lower() in {"", "any", "none", "-"}:
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ProfileError("batch: give your graduation year, e.g. 2027.") from None
    if not MIN_BATCH <= year <= MAX_BATCH:
        raise ProfileError(f"batch: {year} is not a graduation year between {MIN_BATCH} and {MAX_BATCH}.")
    return year


def _parse_enrollment(value: Any) -> str | None:
    if str(value).strip().lower() in {"", "none", "-"}:
        return None
    enrollment = normalize_enrollment(str(value))
    if enrollment is None:
        raise ProfileError("enrollment: give your enrollment number, 8 to 12 digits, e.g. 22103045.")
    return enrollment


def _parse_categories(value: Any) -> frozenset[NoticeType]:
    items = value if isinstance(value, list | tuple | set | frozenset) else str(value).split(",")
    names = {str(item).strip().lower().replace(" ", "_").replace("-", "_") for item in items}
    names -= {"", "all", "any"}
    known = {str(kind) for kind in NoticeType}
    unknown = sorted(names - known)
    if unknown:
        raise ProfileError(
            f"categories: unknown {', '.join(unknown)}; choose from {', '.join(sorted(known))}."
        )
    return frozenset(NoticeType(name) for name in names)


def _parse_min_ctc(value: Any) -> float | None:
    text = str(value).strip().lower().removesuffix("lpa").strip()
    if text in {"", "0", "none", "any", "-"}:
        return None
    try:
        amount = float(text)
    except ValueError:
        raise ProfileError("min_ctc: give a number of lakhs per annum, e.g. 6 or 7.5.") from None
    if not 0 < amount <= MAX_CTC_LPA:
        raise ProfileError(f"min_ctc: {amount:g} LPA is out of range (0 to {MAX_CTC_LPA:g}).")
    return round(amount, 2)


def _parse_companies(value: Any) -> frozenset[str]:
    items = value if isinstance(value, list | tuple | set | frozenset) else str(value).split(",")
    keys = {company_key(str(item)) for item in items} - {""}
    if len(keys) > MAX_MUTED_COMPANIES:
        raise ProfileError(f"muted_companies: at most {MAX_MUTED_COMPANIES} companies.")
    return frozenset(keys)


def _parse_digest(value: Any) -> DigestMode:
    try:
        return DigestMode(str(value).strip().lower())
    except ValueError:
        raise ProfileError("digest: choose instant, daily or both.") from None


def _parse_hour(value: Any) -> int:
    try:
        hour = int(str(value).strip().removesuffix(":00"))
    except ValueError:
        raise ProfileError("digest_hour: give an hour from 0 to 23 (IST), e.g. 20.") from None
    if not 0 <= hour <= 23:
        raise ProfileError("digest_hour: give an hour from 0 to 23 (IST), e.g. 20.")
    return hour


def _parse_switch(name: str) -> Any:
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"on", "yes", "true", "1"}:
            return True
        if text in {"off", "no", "false", "0"}:
            return False
        raise ProfileError(f"{name}: say on or off.")

    return parse


_PARSERS = {
    "branch": _parse_branch,
    "batch": _parse_batch,
    "enrollment": _parse_enrollment,
    "categories": _parse_categories,
    "min_ctc_lpa": _parse_min_ctc,
    "muted_companies": _parse_companies,
    "digest": _parse_digest,
    "digest_hour": _parse_hour,
    "quiet_hours": _parse_switch("quiet_hours"),
    "reminders": _parse_switch("reminders"),
}
_FIELDS = frozenset(_PARSERS)
# Names students are likely to type for a field.
ALIASES = {
    "min_ctc": "min_ctc_lpa",
    "ctc": "min_ctc_lpa",
    "programme": "branch",
    "program": "branch",
    "year": "batch",
    "enrolment": "enrollment",
    "enrollment_no": "enrollment",
    "mute": "muted_companies",
    "companies": "muted_companies",
    "types": "categories",
}


def parse_settings(settings: Mapping[str, Any], base: Profile | None = None) -> Profile:
    """``base`` with ``settings`` applied (field name → raw value); ``ProfileError`` names a bad one."""
    changes: dict[str, Any] = {}
    for raw_name, value in settings.items():
        name = ALIASES.get(str(raw_name).strip().lower(), str(raw_name).strip().lower())
        if name not in _PARSERS:
            raise ProfileError(f"{raw_name}: unknown setting; use one of {', '.join(sorted(_FIELDS))}.")
        changes[name] = _PARSERS[name](value)
    return replace(base or Profile(), **changes)
