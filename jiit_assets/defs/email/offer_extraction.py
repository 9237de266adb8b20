"""Company, roles with packages, and students from a mail the offer decision accepted.

Students and packages are read in every layout offices use: tables (a total row is not a student),
numbered or bulleted lines with branch suffixes, "Name (Enrollment)", "Enrollment - Name", a list
under a role heading ("Associate Software Engineer (12 LPA)"), "Name (Enr)" pairs inside sentences,
and comma lists before "have been selected". A package range keeps its lowest figure (what
``package_lpa`` shows), its highest and its words; a breakdown is summed only where the mail says total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from jiit_assets.defs.email.offer_company import find_company
from jiit_assets.defs.email.offer_role_prose import roles_from_brackets, roles_from_sentences
from jiit_assets.defs.email.offer_roles import (
    RoleList,
    carries_on,
    job_in,
    labels_of,
    roles_from_labels,
    roles_from_lines,
    section_roles,
    without_emphasis,
)
from jiit_assets.defs.email.offer_tables import NOT_SELECTED_STATUS, SELECTED_STATUS, lpa_column, table_blocks
from jiit_assets.defs.email.offers import (
    PlacementOffer,
    SelectedStudent,
    normalize_name,
    role_key,
)
from jiit_assets.defs.email.packages import Package, find_amounts, package_of
from jiit_assets.defs.email.privacy import clean_subject, strip_private
from jiit_assets.lib.students import (
    LIST_CUE,
    clean_enrollment,
    inline_students,
    join_records,
    names_in_list,
    only_branch,
    sign_off,
    students_in_line,
)
from jiit_assets.lib.text import company_key

MAX_EXTRACT_CHARS = 30_000
_SELECTED_AFTER_LIST = re.compile(
    r"(?P<list>[A-Z][^.:\n]{3,300}?)\s+(?:have|has)\s+been\s+(?:finally\s+)?(?:selected|placed|hired|offered)\b|"
    # "Congratulations to A, B and C on being placed at …"
    r"(?i:congratulations\s+to\s+)(?P<wished>[A-Z][^.:\n]{3,300}?)\s+(?i:on|for)\s+(?i:being|getting|their|bagging|securing)\b"
)
_STATED_COUNT = re.compile(
    r"(?i)\b(\d{1,3})\s+(?:students?|offers?|candidates?)\s+(?:have\s+been|has\s+been|were|got)\b"
)


# The mail points at its list instead of writing it out ("the list is attached", "PFA the list",
# "given below" over an image, a named file). The mail's word is enough: the attachment itself is
# often stripped by a forward or a mailing list, and the offer is news without the names.
_LIST_ELSEWHERE = re.compile(
    r"(?i)\b(?:list|names?|details|selects?|results?)\b[^.\n]{0,60}\b(?:attached|enclosed|given\s+below|shown\s+below|"
    r"below|in\s+the\s+attachment|(?:pdf|excel|sheet|file|document)\s+(?:attached|enclosed|shared))\b|"
    r"\b(?:find|see|refer(?:\s+to)?)\s+(?:the\s+)?(?:attached|enclosed|attachment)\b|\bPFA\b|\battached\s+herewith\b|"
    r"\((?:[\w\-]{1,60})\.(?:xlsx?|csv|pdf|docx?|png|jpe?g)\)|[\"“][\w\- ]{1,60}\.(?:xlsx?|csv|pdf|docx?)[\"”]"
)


_LIST_FILES = (".pdf", ".xlsx", ".xls", ".csv", ".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class ExtractedOffer:
    offer: PlacementOffer | None
    reason: str


def _students_from_tables(
    blocks: list[tuple[dict[str, int], list[list[str]]]], roles: RoleList
) -> list[SelectedStudent]:
    students: list[SelectedStudent] = []
    for columns, rows in blocks:
        for row in rows:
            status = _cell(row, columns, "status")
            if status and (NOT_SELECTED_STATUS.search(status) or not SELECTED_STATUS.search(status)):
                continue  # an ATS table lists every candidate with a stage; only the offers count
            role, row_package = roles.add_from_row(row, columns)
            if "name" not in columns:
                continue
            found = students_in_line(_cell(row, columns, "name"))
            enrollment = (
                clean_enrollment(_cell(row, columns, "enrollment")) if "enrollment" in columns else None
            )
            if len(found) == 1 and (found[0].enrollment is None or enrollment is None):
                # the row's own figure ("CTC (LPA)" column) when the table names no role
                package = roles.package_for(role) if role else (row_package.lpa if row_package else None)
                students.append(
                    SelectedStudent(found[0].name, enrollment or found[0].enrollment, role, package)
                )
    return students


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    position = columns.get(name)
    return row[position].strip() if position is not None and position < len(row) else ""


# What the lines above a list say it is: an earlier round ("ROUND 1 - Online test (cleared, 9
# students):") or the final selection ("have been selected", "(FINAL)").
_STAGE_CONTEXT = re.compile(
    r"(?i)\b(?:round\s*\d|cleared|shortlisted|qualified|online\s+(?:test|assessment)|technical\s+interview|"
    r"aptitude|gd|group\s+discussion|next\s+round|wait[- ]?list(?:ed)?|on\s+hold)\b"
)
_STATUS_LABEL = re.compile(r"(?i)\b(?:status|stage|result)\s{0,3}:\s{0,3}([^|\n]{1,60})")
_FINAL_CONTEXT = re.compile(r"(?i)\b(?:selected|placed|offers?|offered|hired|final|congratulations)\b")


def _students_from_lines(body: str, skip: set[str], roles: RoleList, company: str) -> list[SelectedStudent]:
    """Student lines; a bulleted name without an enrollment number counts only when the line is just
    the name or follows a cue. A role heading ("Data Analyst (11 LPA)", "Full-time - Software Engineer:")
    gives its role to the lines below. When a mail lists every round, only the final list counts."""
    tagged: list[tuple[SelectedStudent, str]] = []
    heading: str | None = None
    after_cue = False
    previous = ""
    context: list[str] = []
    tag = ""
    figures = lpa_column(body)
    sections = section_roles(body, roles)
    signed = False  # inside the sender's signature (a sign-off up to the next blank line)
    for line in body.split("\n"):
        stripped = line.strip()
        continued, previous = carries_on(previous, stripped), stripped
        signed = bool(stripped) and (signed or sign_off(stripped))
        if not stripped or stripped in skip or signed:
            continue
        heading = sections.get(stripped) or (None if continued else roles.heading(stripped)) or heading
        accepted = [
            s
            for s in students_in_line(stripped)
            if s.enrollment
            # a line typed in capitals after a cue is a heading ("UPCOMING DRIVES"), not a student
            or (
                (s.bulleted or (after_cue and not s.name.isupper()))
                and only_branch(s.rest)
                and len(s.name.split()) >= 2
            )
        ]
        status = _STATUS_LABEL.search(stripped)
        if status and (
            NOT_SELECTED_STATUS.search(status.group(1)) or not SELECTED_STATUS.search(status.group(1))
        ):
            accepted = []  # "Status: On hold": listed, but not an offer
        if context and accepted:
            said = " ".join(context[-3:])
            tag = "final" if _FINAL_CONTEXT.search(said) else ("stage" if _STAGE_CONTEXT.search(said) else "")
            context = []
        for student in accepted:
            if company_key(student.name) != company_key(company):
                role, package = roles.read_columns(student.rest, heading)
                package = package if package is not None else figures.get(stripped)
                tagged.append((SelectedStudent(student.name, student.enrollment, role, package), tag))
        if not accepted:
            after_cue = bool(LIST_CUE.search(stripped))
            context.append(stripped)
    tags = {tag for _, tag in tagged}
    return [student for student, tag in tagged if not ({"final", "stage"} <= tags and tag == "stage")]


def _students_from_prose(body: str) -> list[SelectedStudent]:
    pairs = inline_students(body)
    if pairs:
        return [SelectedStudent(s.name, s.enrollment, None, None) for s in pairs]
    for match in _SELECTED_AFTER_LIST.finditer(body[:MAX_EXTRACT_CHARS]):
        names = names_in_list(match.group("list") or match.group("wished"))
        if names:
            return [SelectedStudent(name, None, None, None) for name in names]
    return _addressed_student(body)


# A letter to the student: "Dear Riya Sen, … you have been selected / you have received an offer".
_GREETING = re.compile(
    r"(?m)^\s{0,5}(?:Dear|Hi|Hello)\s{1,3}(?P<name>[A-Z][\w.'’\- ]{1,60}?)\s{0,3}[,!:]?\s*$"
)
_TO_YOU = re.compile(
    r"(?i)\byou\s+(?:have\s+been|are|were|got)\s+(?:finally\s+)?(?:selected|placed|offered|hired)\b|"
    r"\byou\s+have\s+(?:received|bagged|secured|got)\s+(?:an?\s+|the\s+)?(?:[\w-]{1,20}\s+)?offer\b"
)


def _prose_when_fuller(students: list[SelectedStudent], body: str) -> list[SelectedStudent]:
    """The "Name (Enrollment)" pairs of the sentences when they hold every student the lines gave and
    more: a sentence wrapped over lines ("Congratulations to A (1), B (2) and / C (3), who …") leaves
    the line reader only the student that starts a line."""
    found = {s.enrollment_number for s in students}
    if None in found or any(body.count(str(e)) > 1 for e in found):
        return students  # a student named twice: the mail lists rounds, and the line reader chose one
    # only the paragraphs that hold the students found: another paragraph may list an earlier round
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if any(str(e) in p for e in found)]
    pairs = inline_students("\n\n".join(paragraphs))
    if not found < {s.enrollment for s in pairs}:
        return students
    return [SelectedStudent(s.name, s.enrollment, None, None) for s in pairs]


def _addressed_student(body: str) -> list[SelectedStudent]:
    """The one student a letter of selection is addressed to, by the name in its greeting."""
    greeting = _GREETING.search(body[:2000])
    if greeting is None or not _TO_YOU.search(body[:MAX_EXTRACT_CHARS]):
        return []
    found = students_in_line(greeting.group("name"))
    if len(found) != 1 or found[0].rest:
        return []
    enrollment = next((s.enrollment for s in inline_students(body) if s.name == found[0].name), None)
    return [SelectedStudent(found[0].name, enrollment, None, None)]


def _fill_role_packages(roles: RoleList, students: list[SelectedStudent]) -> None:
    """A role named without a figure ("Role: Associate Technology L1") takes the lowest package its
    students' rows state (a "CTC (LPA)" column)."""
    for role in list(roles.roles):
        if role.package is not None:
            continue
        own = [
            s.package
            for s in students
            if s.package is not None and (s.role is None or role_key(s.role) == role_key(role.role))
        ]
        if own:
            roles.add(role.role, Package(min(own)))


def _with_roles(students: list[SelectedStudent], roles: RoleList) -> list[SelectedStudent]:
    """One role: every student gets it. A student's own package wins over the role's."""
    if len(roles.roles) == 1:
        only = roles.roles[0]
        return [
            replace(s, role=s.role or only.role, package=s.package if s.package is not None else only.package)
            for s in students
        ]
    return [
        replace(s, package=s.package if s.package is not None else roles.package_for(s.role))
        for s in students
    ]


def dedupe_students(students: list[SelectedStudent]) -> list[SelectedStudent]:
    merged: list[SelectedStudent] = []
    for student in students:
        key = normalize_name(student.name)
        position = next(
            (
                i
                for i, old in enumerate(merged)
                if (student.enrollment_number and old.enrollment_number == student.enrollment_number)
                or normalize_name(old.name) == key
            ),
            None,
        )
        if position is None:
            merged.append(student)
        else:
            old = merged[position]
            merged[position] = replace(
                old,
                enrollment_number=old.enrollment_number or student.enrollment_number,
                role=old.role or student.role,
                package=old.package if old.package is not None else student.package,
            )
    return merged


def _roles_and_students(
    subject: str, body: str, labels: dict[str, list[str]], company: str
) -> tuple[RoleList, list[SelectedStudent]]:
    """Roles (tables, labels, role lines, then sentences; the subject last) and the students, each with
    a role and package."""
    roles = RoleList()
    blocks = table_blocks(body)
    students = _students_from_tables(blocks, roles)
    table_lines = {" | ".join(row) for _, rows in blocks for row in rows}
    roles_from_labels(labels, roles)
    if not labels.get("role"):
        roles_from_lines(body, table_lines, roles)
    if not roles.roles or all(role.package is None for role in roles.roles):
        roles_from_brackets(body, roles)
    if not roles.roles:
        roles_from_sentences(body, company, roles)
    if not students:
        students = _students_from_lines(join_records(body), table_lines, roles, company)
        students = _prose_when_fuller(students, body)
    if not students:
        students = _students_from_prose(body)
    _fill_role_packages(roles, students)
    if all(role.package is None for role in roles.roles):
        _one_figure_for_all(subject, body, labels, roles)
    return roles, dedupe_students(_with_roles(students, roles))


def _one_figure_for_all(subject: str, body: str, labels: dict[str, list[str]], roles: RoleList) -> None:
    """No role has a figure of its own: one role (or none named) takes the figure stated elsewhere in
    the mail ("the CTC is 12 LPA"); several roles take it only when the mail states one figure
    ("CTC: 8 LPA for both profiles")."""
    stated = "\n".join(labels.get("package", [])) or body
    package = package_of(stated) or package_of(subject)
    if package is None:
        return
    if len(roles.roles) <= 1:
        roles.add(roles.roles[0].role if roles.roles else (job_in(subject) or "Not specified"), package)
    elif len({(a.lpa, a.high) for a in find_amounts(stated) if not a.extra}) == 1:
        for role in list(roles.roles):
            roles.add(role.role, package)


def extract_offer(
    subject: str,
    text: str,
    *,
    message_key: str = "",
    time_sent: datetime | None = None,
    sender_domain: str | None = None,
    attachments: tuple[str, ...] = (),
) -> ExtractedOffer:
    """Company, roles with packages (LPA), students and offer count from an offer mail.

    When the text names no student but the mail carries the list as an attachment or an image (and
    says so), the offer is kept without names: the company and package are news on their own."""
    subject = clean_subject(subject)
    text = text[:MAX_EXTRACT_CHARS]
    body = without_emphasis(strip_private(text))
    labels = labels_of(body)
    company = find_company(subject, body, text, labels.get("company", []), sender_domain=sender_domain)
    if company is None:
        return ExtractedOffer(None, "offer wording but no company name found")
    roles, students = _roles_and_students(subject, body, labels, company.name)
    stated = _STATED_COUNT.search(body)
    count = len(students) or (int(stated.group(1)) if stated else 0)
    list_elsewhere = bool(_LIST_ELSEWHERE.search(body)) or any(
        name.lower().endswith(_LIST_FILES) for name in attachments
    )
    if count == 0 and not list_elsewhere:
        return ExtractedOffer(None, "offer wording but no selected students found")
    if all(role.package is None for role in roles.roles):
        return ExtractedOffer(None, "offer wording but no package for any role")
    locations = [part for value in labels.get("location", []) for part in _split_list(value)]
    return ExtractedOffer(
        PlacementOffer(
            company=company.name,
            roles=tuple(roles.roles),
            students=tuple(students),
            number_of_offers=count,
            job_location=tuple(dict.fromkeys(locations)),
            joining_date=labels["joining"][0] if labels.get("joining") else None,
            email_subject=subject,
            time_sent=time_sent,
            source_message_keys=(message_key,) if message_key else (),
        ),
        f"{company.name} (company from the {company.where}): {len(roles.roles)} role(s), {count} offer(s)"
        + ("; the list of students is in an attachment" if count == 0 else ""),
    )


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"\s*(?:,|/|\bor\b|\band\b)\s*", value) if part.strip())
