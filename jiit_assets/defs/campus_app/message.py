"""``formatted_message``: a notice as the campus web app reads it, in its Markdown-ish conventions.

The web app does not render our Telegram HTML. It reads one text field and parses labelled lines
out of it: ``**Company:**``, ``**Role:**``, ``**CTC:**``, ``**Location:**``, a ``Deadline`` line,
``Eligibility`` and ``Hiring Process`` / ``Hiring Flow`` sections, and the display time from the
footer ``*On:* <Month> <D>, <YYYY> at <h>:<mm> <AM|PM> IST``. So every notice, whatever its source,
is written with those markers and that footer, in a fixed order, from the same
:class:`NoticeContent` the delivery channels use (no second interpretation of the source).
Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jiit_assets.lib.markup import html_to_text, normalize_space, table_rows
from jiit_assets.lib.models import NoticeContent, NoticeType
from jiit_assets.lib.text import format_ist

HEADERS: dict[NoticeType, str] = {
    NoticeType.UPDATE: "🔔 Update",
    NoticeType.SHORTLISTING: "🎉 Shortlisting Update",
    NoticeType.ANNOUNCEMENT: "📣 Announcement",
    NoticeType.HACKATHON: "🏁 Hackathon",
    NoticeType.WEBINAR: "🎓 Webinar Details",
    NoticeType.JOB_POSTING: "📢 Job Posting",
    NoticeType.PLACEMENT_OFFER: "🏆 Placement Update",
    NoticeType.REMINDER: "⏰ Reminder",
    NoticeType.INTERNSHIP_NOC: "📋 Internship NOC List",
}
# Facts that get a section or a line of their own rather than a plain "**Label:** value" line.
_OWN_PLACE = {"Deadline", "Hiring Process", "CTC", "Stipend"}
_FLOW_SEPARATOR = " → "
MAX_BREAKDOWN_CHARS = 1500


@dataclass(frozen=True)
class JobDetails:
    """What a linked job adds to a notice in the web app: eligibility and the package breakdown."""

    courses: tuple[str, ...] = ()
    marks: tuple[tuple[str, str], ...] = ()  # (level, criteria)
    hiring_flow: tuple[str, ...] = ()
    package_info_html: str = ""

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> JobDetails:
        marks = tuple(
            (str(mark.get("level") or "UG"), _number_text(mark.get("criteria")))
            for mark in document.get("eligibility_marks") or ()
            if isinstance(mark, Mapping)
        )
        return cls(
            courses=tuple(str(course) for course in document.get("eligibility_courses") or () if course),
            marks=marks,
            hiring_flow=tuple(str(stage) for stage in document.get("hiring_flow") or () if stage),
            package_info_html=str(document.get("package_info") or ""),
        )


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if value is not None else "N/A"


def package_breakdown(package_info_html: str) -> str:
    """A job's CTC breakdown as the web app shows it: ``(`` newline, table rows ``a | b``, ``)``."""
    if not package_info_html.strip():
        return ""
    lines = [" | ".join(cell for cell in row if cell) for row in table_rows(package_info_html)]
    lines = [line for line in lines if line]
    if not lines:
        lines = [line for line in html_to_text(package_info_html).splitlines() if line.strip()]
    text = "\n".join(normalize_space(line.replace("\xa0", " ")) for line in lines)[:MAX_BREAKDOWN_CHARS]
    return f"(\n{text}\n)" if text else ""


def display_title(content: NoticeContent) -> str:
    """The title line; a job posting with a known company is announced as open for applications."""
    if content.type == NoticeType.JOB_POSTING and content.company:
        suffix = f"'s Job Profile - {content.role}" if content.role else ""
        return f"Open for applications - {content.company}{suffix}"
    return content.title


def package_text(content: NoticeContent) -> str | None:
    """The rendered package (``₹12 LPA``) a notice states, if any."""
    for label, value in content.facts:
        if label in ("CTC", "Stipend"):
            return value
    return None


def footer(author: str | None, when: datetime) -> list[str]:
    """``*Posted by*: <author> `` (trailing space kept, as the web app's parser expects) and ``*On:*``."""
    return [f"*Posted by*: {author or 'Placement Cell'} ", f"*On:* {format_ist(when)}"]


def formatted_message(content: NoticeContent, job: JobDetails | None, posted_at: datetime) -> str:
    """The whole ``formatted_message`` of a notice (see the module docstring for the markers)."""
    lines = [f"**{display_title(content)}**", "", f"**{HEADERS.get(content.type, '🔔 Notice')}**"]
    labels = {label for label, _ in content.facts}
    # The web app reads company and role from these markers, so they are present whenever known.
    lines.extend(
        f"**{label}:** {value}"
        for label, value in (("Company", content.company), ("Role", content.role))
        if value and label not in labels
    )
    lines.extend(f"**{label}:** {value}" for label, value in content.facts if label not in _OWN_PLACE)
    package = package_text(content)
    if package:
        breakdown = package_breakdown(job.package_info_html) if job else ""
        lines.append(f"**CTC:** {package} {breakdown}".rstrip())
    lines.extend(_students(content))
    if job and (job.courses or job.marks) and content.type == NoticeType.JOB_POSTING:
        lines.extend(_eligibility(job))
    lines.extend(_hiring_flow(content, job))
    text = content.text.strip()
    if text:
        lines.extend(["", text])
    deadline = content.deadline or _fact_deadline(content)
    if deadline is not None:
        # Job postings have always shown "July 20, 2025, 11:59 PM IST" (a comma, not "at").
        with_at = content.type != NoticeType.JOB_POSTING
        when = deadline if isinstance(deadline, str) else format_ist(deadline, with_at=with_at)
        lines.extend(["", f"⚠️ **Deadline:** {when}"])
    if content.url:
        label = "🔗 Detailed JD" if content.job_id else "🔗 Link"
        lines.extend(["", f"{label}: {content.url}"])
    lines.extend(["", *footer(content.author, posted_at)])
    return "\n".join(lines)


def _fact_deadline(content: NoticeContent) -> str | None:
    for label, value in content.facts:
        if label == "Deadline":
            return value
    return None


def _students(content: NoticeContent) -> list[str]:
    if not content.students:
        return []
    notice_type = content.type
    students = [f"- {s.name} ({s.enrollment_number or 'N/A'})" for s in content.students]
    intro = (
        "Congratulations to the following students:"
        if notice_type == NoticeType.SHORTLISTING
        else "Students:"
    )
    label = "Total Shortlisted" if notice_type == NoticeType.SHORTLISTING else "Total Students"
    return ["", f"**{label}:** {len(students)}", intro, *students]


def _eligibility(job: JobDetails) -> list[str]:
    lines = ["", "**Eligibility Criteria:**"]
    if job.courses:
        lines.append("- **Courses:** ")
        lines.extend(job.courses)
    lines.extend(f"- **{level} Marks:** {criteria} CGPA or equivalent" for level, criteria in job.marks)
    return lines


def _hiring_flow(content: NoticeContent, job: JobDetails | None) -> list[str]:
    stages: tuple[str, ...] = job.hiring_flow if job else ()
    if not stages:
        for label, value in content.facts:
            if label == "Hiring Process":
                stages = tuple(stage for stage in value.split(_FLOW_SEPARATOR) if stage.strip())
    if not stages:
        return []
    heading = "**Hiring Flow:**" if content.type == NoticeType.JOB_POSTING else "**Hiring Process:**"
    return ["", heading, *(f"{index}. {stage}" for index, stage in enumerate(stages, start=1))]
