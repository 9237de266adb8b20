"""SuperSet job payloads → typed ``enriched_jobs`` documents.

Pure functions over the JSON the portal returns (no I/O, no Dagster). The stored documents keep
the field names the campus web app reads, and the rules are strict where a looser reading once
lost jobs or packages:

* an explicit ``null`` eligibility value takes the level's default instead of dropping the job;
* hiring stages are ordered by ``sequence``; gaps, duplicates and missing sequences are tolerated;
* the package falls back ``package`` → ``ctcMin`` → ``ctcMax``, so a job publishing only a range keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from jiit_assets.lib.markup import html_to_text
from jiit_assets.lib.ranges import bounded_number, epoch_problem, epoch_to_datetime
from jiit_assets.lib.text import company_key

CATEGORY_NAMES: dict[int, str] = {
    1: "High",
    2: "Middle",
    3: "Offer is more than 4.6 lacs",
    4: "Internship",
}
# Minimum marks assumed when the portal names a level without a requirement (CGPA for UG, % otherwise).
DEFAULT_UG_CRITERIA = 5.0
DEFAULT_OTHER_CRITERIA = 50.0


class MalformedPayload(ValueError):
    """A portal payload that cannot be read as what it claims to be; the message says why."""


@dataclass(frozen=True)
class EligibilityMark:
    level: str
    criteria: float

    def to_document(self) -> dict[str, Any]:
        return {"level": self.level, "criteria": self.criteria}


@dataclass(frozen=True)
class JobAttachment:
    """A document attached to a job profile (e.g. the JD PDF); ``url`` is a signed, expiring link."""

    name: str
    identifier: str
    url: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {"name": self.name, "identifier": self.identifier, "url": self.url}


@dataclass(frozen=True)
class StructuredJob:
    """One ``enriched_jobs`` document, with the field names the campus web app reads from ``Jobs``."""

    id: str
    job_profile: str
    company: str
    placement_category_code: int
    placement_category: str
    content: str
    createdAt: int | None  # epoch ms, as the portal and the web app use
    deadline: int | None  # epoch ms
    eligibility_marks: tuple[EligibilityMark, ...] = ()
    eligibility_courses: tuple[str, ...] = ()
    allowed_genders: tuple[str, ...] = ()
    job_description: str = ""
    location: str = "Unknown"
    package: float = 0  # rupees; 0 = not published (renderers must not print "₹0")
    annum_months: str | None = None
    package_info: str = ""
    required_skills: tuple[str, ...] = ()
    hiring_flow: tuple[str, ...] = ()
    placement_type: str | None = None  # None = built from the listing only (no details yet)
    documents: tuple[JobAttachment, ...] = ()
    enriched: bool = False
    enrichment_error: str | None = None
    # Fields the portal sent out of range (stored as unknown), with the reason for each.
    data_problems: tuple[str, ...] = ()

    @property
    def company_key(self) -> str:
        return company_key(self.company)

    def to_document(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "id": self.id,
            "job_profile": self.job_profile,
            "company": self.company,
            "company_key": self.company_key,
            "placement_category_code": self.placement_category_code,
            "placement_category": self.placement_category,
            "content": self.content,
            "createdAt": self.createdAt,
            "deadline": self.deadline,
            "eligibility_marks": [mark.to_document() for mark in self.eligibility_marks],
            "eligibility_courses": list(self.eligibility_courses),
            "allowed_genders": list(self.allowed_genders),
            "job_description": self.job_description,
            "location": self.location,
            "package": self.package,
            "annum_months": self.annum_months,
            "package_info": self.package_info,
            "required_skills": list(self.required_skills),
            "hiring_flow": list(self.hiring_flow),
            "placement_type": self.placement_type,
            "documents": [document.to_document() for document in self.documents],
            "enriched": self.enriched,
            "enrichment_error": self.enrichment_error,
            "data_problems": list(self.data_problems),
        }


# Fields that come from the job listing alone: refreshed on every run for known jobs (deadline
# extensions, renamed profiles) without a detail call.
LISTING_FIELDS = (
    "id",
    "job_profile",
    "company",
    "company_key",
    "placement_category_code",
    "placement_category",
    "content",
    "createdAt",
    "deadline",
    "data_problems",
)
# A package above this many rupees a year is a placeholder or a unit error, not an offer.
MAX_PACKAGE_RUPEES = 10_000_000_000.0
# Larger numbers are never meaningful here, and bigger integers would not fit BSON's 64 bits.
MAX_NUMBER = 1e15
_EPOCH_FIELDS = {"createdAt": "createdAt", "jobProfileApplicationDeadline": "deadline"}
_PACKAGE_FIELDS = ("package", "ctcMin", "ctcMax")


def text_or(value: object, default: str = "") -> str:
    """A portal field as stripped text, ``default`` when it is missing or blank."""
    if value is None:
        return default
    text = str(value).strip()
    return text or default


def _number(value: object) -> float | None:
    """A positive number from an int, float or numeric string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            return None
    else:
        return None
    return number if number > 0 and bounded_number(number, MAX_NUMBER) is not None else None


def _epoch_ms(value: object) -> int | None:
    """Epoch milliseconds inside the plausible date window (placeholders become None)."""
    number = _number(value)
    moment = epoch_to_datetime(number)
    return int(moment.timestamp() * 1000) if moment is not None else None


def listing_problems(listing: Mapping[str, Any], profile: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """Why a listing's (and its profile's) dates or package were taken as unknown, one line each."""
    problems: list[str] = []
    for name in _EPOCH_FIELDS:
        value = listing.get(name)
        if value is None or value == "":
            continue
        if _number(value) is None:
            problems.append(f"{name}: {str(value)[:40]!r} is not a usable positive number")
        elif (problem := epoch_problem(name, _number(value))) is not None:
            problems.append(problem)
    for key in _PACKAGE_FIELDS if profile else ():
        value = (profile or {}).get(key)
        raw = _raw_number(value)
        if raw is not None and raw > 0 and bounded_number(raw, MAX_PACKAGE_RUPEES) is None:
            problems.append(f"{key}: {str(value)[:40]!r} is above {MAX_PACKAGE_RUPEES:,.0f} rupees")
    return tuple(problems)


def _raw_number(value: object) -> float | None:
    """Any finite or infinite number the portal sent (for reporting), None for non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        return None


def _int(value: object, default: int = 0) -> int:
    number = _number(value)
    return int(number) if number is not None else default


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _clean_number(number: float) -> float | int:
    return int(number) if number.is_integer() else number


def job_id_of(listing: Mapping[str, Any]) -> str | None:
    """The listing's job id, or None for entries the portal sent without one (they are dropped)."""
    value = listing.get("jobProfileIdentifier") if isinstance(listing, Mapping) else None
    text = text_or(value)
    return text or None


def category_name(code: int, name: object) -> str:
    return text_or(name) or CATEGORY_NAMES.get(code, "Unknown")


def eligibility_marks(details: Mapping[str, Any]) -> tuple[EligibilityMark, ...]:
    check = _mapping(details.get("eligibilityCheckResult"))
    marks: list[EligibilityMark] = []
    for result in _list(check.get("academicResults")):
        if not isinstance(result, Mapping):
            continue
        level = text_or(result.get("level"), "UG")
        required = _number(result.get("required"))
        if required is None:
            required = DEFAULT_UG_CRITERIA if level == "UG" else DEFAULT_OTHER_CRITERIA
        marks.append(EligibilityMark(level=level, criteria=_clean_number(required)))
    return tuple(marks)


def eligibility_courses(details: Mapping[str, Any]) -> tuple[str, ...]:
    check = _mapping(_mapping(details.get("eligibilityCheckResult")).get("courseCheckResult"))
    courses: list[str] = []
    for course in _list(check.get("openedForCourses")):
        if not isinstance(course, Mapping):
            continue
        name = text_or(course.get("name"))
        if not name:
            continue
        program = text_or(_mapping(course.get("program")).get("shortName"), "Unknown")
        entry = f"{program} - {name}"
        if entry not in courses:
            courses.append(entry)
    return tuple(courses)


def allowed_genders(profile: Mapping[str, Any]) -> tuple[str, ...]:
    flags = (("Female", "allowGenderFemale"), ("Male", "allowGenderMale"), ("Other", "allowGenderOther"))
    return tuple(label for label, key in flags if profile.get(key) is True)


def hiring_flow(profile: Mapping[str, Any]) -> tuple[str, ...]:
    """Stage names ordered by ``sequence``; stages without a usable sequence keep their order at the end."""
    ranked: list[tuple[int, float, int, str]] = []
    for position, stage in enumerate(_list(profile.get("stages"))):
        if not isinstance(stage, Mapping):
            continue
        name = text_or(stage.get("name"))
        if not name:
            continue
        sequence = stage.get("sequence")
        if isinstance(sequence, int | float) and not isinstance(sequence, bool):
            ranked.append((0, float(sequence), position, name))
        else:
            ranked.append((1, 0.0, position, name))
    return tuple(name for *_, name in sorted(ranked))


def attachment_refs(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(name, identifier)`` of every attached document that has both (the URL call needs the id)."""
    profile = _mapping(details.get("jobProfile"))
    refs: list[tuple[str, str]] = []
    for document in _list(profile.get("documents")):
        if not isinstance(document, Mapping):
            continue
        name, identifier = text_or(document.get("name")), text_or(document.get("identifier"))
        if name and identifier and (name, identifier) not in refs:
            refs.append((name, identifier))
    return refs


def package_rupees(profile: Mapping[str, Any]) -> float:
    for key in _PACKAGE_FIELDS:
        number = _number(profile.get(key))
        if number is not None and bounded_number(number, MAX_PACKAGE_RUPEES) is not None:
            return _clean_number(number)
    return 0


def structure_job(
    listing: Mapping[str, Any],
    details: Mapping[str, Any] | None = None,
    document_urls: Mapping[str, str | None] | None = None,
    enrichment_error: str | None = None,
) -> StructuredJob:
    """A structured job from its listing entry, plus its details and signed document URLs when fetched."""
    if not isinstance(listing, Mapping):
        raise MalformedPayload(f"a job listing entry must be a JSON object, got {type(listing).__name__}")
    job_id = job_id_of(listing)
    if job_id is None:
        raise MalformedPayload("job listing entry has no jobProfileIdentifier")
    if details is not None and not isinstance(details, Mapping):
        raise MalformedPayload(
            f"job details for {job_id} must be a JSON object, got {type(details).__name__}"
        )
    code = _int(listing.get("placementCategoryLevel"))
    base = StructuredJob(
        id=job_id,
        job_profile=text_or(listing.get("jobProfileTitle"), "Unknown"),
        company=text_or(listing.get("companyName"), "??"),
        placement_category_code=code,
        placement_category=category_name(code, listing.get("placementCategoryName")),
        content=text_or(listing.get("content")),
        createdAt=_epoch_ms(listing.get("createdAt")),
        deadline=_epoch_ms(listing.get("jobProfileApplicationDeadline")),
        enrichment_error=enrichment_error,
        data_problems=listing_problems(listing),
    )
    if details is None:
        return base
    profile = _mapping(details.get("jobProfile"))
    description_html = text_or(profile.get("jobDescription"))
    description = ""
    if description_html:
        invitation = text_or(profile.get("invitationCustomText"))
        description = html_to_text(description_html + (f"<p>{invitation}</p>" if invitation else ""))
    urls = document_urls or {}
    skills = tuple(text_or(skill) for skill in _list(profile.get("requiredSkills")) if text_or(skill))
    return replace(
        base,
        eligibility_marks=eligibility_marks(details),
        eligibility_courses=eligibility_courses(details),
        allowed_genders=allowed_genders(profile),
        job_description=description,
        location=text_or(profile.get("location")) or text_or(details.get("jobProfileLocation"), "Unknown"),
        package=package_rupees(profile),
        annum_months=text_or(profile.get("ctcInterval")) or None,
        package_info=text_or(profile.get("ctcAdditionalInfo")),
        required_skills=skills,
        hiring_flow=hiring_flow(profile),
        placement_type=text_or(details.get("positionType")),
        documents=tuple(
            JobAttachment(name=name, identifier=identifier, url=urls.get(identifier))
            for name, identifier in attachment_refs(details)
        ),
        enriched=True,
        enrichment_error=None,
        data_problems=listing_problems(listing, profile),
    )


def listing_document(listing: Mapping[str, Any]) -> dict[str, Any]:
    """Only the listing-derived fields of a job, for refreshing a known job without a detail call."""
    document = structure_job(listing).to_document()
    return {key: document[key] for key in LISTING_FIELDS}
