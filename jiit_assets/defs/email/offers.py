"""Placement offers as stored in ``email_placement_offers``, and how a new mail merges into them.

The decision (``offer_decision``) and the extraction (``offer_extraction``) live beside this module;
here are the shapes they produce and the merge: new students and roles are added, packages only go
up, and every change is an event whose id is a hash of the changes, so reprocessing re-creates it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from jiit_assets.lib.text import company_key


@dataclass(frozen=True)
class OfferRole:
    role: str
    package: float | None  # LPA
    package_details: str | None = None  # the mail's words when one figure would hide something
    package_max: float | None = None  # LPA, the top of a range ("15-18 LPA"); package is its lowest

    def to_document(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "package": self.package,
            "package_details": self.package_details,
            "package_max": self.package_max,
        }


@dataclass(frozen=True)
class SelectedStudent:
    name: str
    enrollment_number: str | None
    role: str | None
    package: float | None  # LPA

    @property
    def key(self) -> str:
        return (
            f"enr:{self.enrollment_number}" if self.enrollment_number else f"name:{normalize_name(self.name)}"
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "enrollment_number": self.enrollment_number,
            "role": self.role,
            "package": self.package,
        }


@dataclass(frozen=True)
class PlacementOffer:
    """One company's offers as stored in ``email_placement_offers`` (``_id`` is the company key)."""

    company: str
    roles: tuple[OfferRole, ...]
    students: tuple[SelectedStudent, ...]
    number_of_offers: int
    job_location: tuple[str, ...] = ()
    joining_date: str | None = None
    email_subject: str | None = None
    time_sent: datetime | None = None
    source_message_keys: tuple[str, ...] = ()

    @property
    def company_key(self) -> str:
        return company_key(self.company)

    def to_document(self) -> dict[str, Any]:
        return {
            "_id": self.company_key,
            "company": self.company,
            "roles": [role.to_document() for role in self.roles],
            "students_selected": [student.to_document() for student in self.students],
            "number_of_offers": self.number_of_offers,
            "job_location": list(self.job_location),
            "joining_date": self.joining_date,
            "email_subject": self.email_subject,
            "time_sent": self.time_sent,
            "source_message_keys": list(self.source_message_keys),
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PlacementOffer:
        return cls(
            company=str(document["company"]),
            roles=tuple(
                OfferRole(str(r["role"]), r.get("package"), r.get("package_details"), r.get("package_max"))
                for r in document.get("roles") or ()
            ),
            students=tuple(
                SelectedStudent(str(s["name"]), s.get("enrollment_number"), s.get("role"), s.get("package"))
                for s in document.get("students_selected") or ()
            ),
            number_of_offers=int(document.get("number_of_offers") or 0),
            job_location=tuple(document.get("job_location") or ()),
            joining_date=document.get("joining_date"),
            email_subject=document.get("email_subject"),
            time_sent=document.get("time_sent"),
            source_message_keys=tuple(document.get("source_message_keys") or ()),
        )


def normalize_name(name: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", name.lower()).split())


def role_key(role: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", role.lower()).split())


def _find_student(students: list[SelectedStudent], new: SelectedStudent) -> int | None:
    name = normalize_name(new.name)
    for position, old in enumerate(students):
        if new.enrollment_number and old.enrollment_number:
            if new.enrollment_number == old.enrollment_number:
                return position
            continue
        if normalize_name(old.name) == name:
            return position
    return None


def _merge_student(old: SelectedStudent, new: SelectedStudent) -> tuple[SelectedStudent, bool]:
    """Merged student and whether the package went up."""
    upgraded = new.package is not None and (old.package is None or new.package > old.package)
    return (
        SelectedStudent(
            name=old.name,
            enrollment_number=old.enrollment_number or new.enrollment_number,
            role=new.role if upgraded and new.role else (old.role or new.role),
            package=new.package if upgraded else old.package,
        ),
        upgraded,
    )


# --- merging -----------------------------------------------------------------------------------

EventType = Literal["new_offer", "updated_offer"]


@dataclass(frozen=True)
class OfferEvent:
    """What changed at one company; the id is a hash of the changes so reprocessing re-creates it."""

    id: str
    type: EventType
    company: str
    company_key: str
    new_students: tuple[SelectedStudent, ...]
    upgraded_roles: tuple[OfferRole, ...]
    roles: tuple[OfferRole, ...]  # all roles after the merge
    total_students: int
    time_sent: datetime | None = None
    changes: tuple[str, ...] = field(default=())


def _merge_roles(
    old_roles: tuple[OfferRole, ...], new_roles: tuple[OfferRole, ...], changes: list[str]
) -> tuple[list[OfferRole], list[OfferRole]]:
    """All roles after the merge and the ones whose package went up; ``changes`` gets a line each."""
    roles = list(old_roles)
    upgraded: list[OfferRole] = []
    for role in new_roles:
        position = next((i for i, r in enumerate(roles) if role_key(r.role) == role_key(role.role)), None)
        if position is None:
            roles.append(role)
            changes.append(f"role:{role_key(role.role)}:{role.package}")
            continue
        old = roles[position]
        if role.package is not None and (old.package is None or role.package > old.package):
            roles[position] = OfferRole(
                old.role, role.package, role.package_details or old.package_details, role.package_max
            )
            upgraded.append(roles[position])
            changes.append(f"package:{role_key(old.role)}:{role.package}")
    return roles, upgraded


def _merge_students(
    old_students: tuple[SelectedStudent, ...], new_students: tuple[SelectedStudent, ...], changes: list[str]
) -> tuple[list[SelectedStudent], list[SelectedStudent]]:
    """All students after the merge and the newly added ones; ``changes`` gets a line each."""
    students = list(old_students)
    added: list[SelectedStudent] = []
    for student in new_students:
        position = _find_student(students, student)
        if position is None:
            students.append(student)
            added.append(student)
            changes.append(f"student:{student.key}")
            continue
        merged, upgraded = _merge_student(students[position], student)
        if upgraded:
            changes.append(f"student-package:{merged.key}:{merged.package}")
        students[position] = merged
    return students, added


def merge_offer(
    existing: PlacementOffer | None, new: PlacementOffer
) -> tuple[PlacementOffer, OfferEvent | None]:
    """Merge a newly extracted offer into the stored one for the same company key.

    New students and roles are added, packages only go up; a student first seen without an
    enrollment number and later with one is the same student. The event is None when nothing changed.
    """
    key = new.company_key
    if existing is None:
        base = replace(new, roles=(), students=(), number_of_offers=0, source_message_keys=())
    else:
        base = existing
    changes: list[str] = []
    roles, upgraded_roles = _merge_roles(base.roles, new.roles, changes)
    students, added = _merge_students(base.students, new.students, changes)
    newer = new.time_sent is not None and (base.time_sent is None or new.time_sent >= base.time_sent)
    merged_offer = PlacementOffer(
        company=base.company if existing else new.company,
        roles=tuple(roles),
        students=tuple(students),
        number_of_offers=max(len(students), base.number_of_offers if existing else 0, new.number_of_offers),
        job_location=tuple(dict.fromkeys((*base.job_location, *new.job_location))),
        joining_date=new.joining_date or base.joining_date,
        email_subject=new.email_subject if newer or not base.email_subject else base.email_subject,
        time_sent=new.time_sent if newer else base.time_sent,
        source_message_keys=tuple(dict.fromkeys((*base.source_message_keys, *new.source_message_keys))),
    )
    if existing is not None and not changes:
        return merged_offer, None
    event_type: EventType = "new_offer" if existing is None else "updated_offer"
    digest = hashlib.sha256(
        f"{key}\n{event_type}\n".encode() + "\n".join(sorted(changes)).encode()
    ).hexdigest()
    event = OfferEvent(
        id=digest[:32],
        type=event_type,
        company=merged_offer.company,
        company_key=key,
        new_students=tuple(added),
        upgraded_roles=tuple(upgraded_roles),
        roles=merged_offer.roles,
        total_students=merged_offer.number_of_offers,
        time_sent=new.time_sent,
        changes=tuple(sorted(changes)),
    )
    return merged_offer, event
