"""Roles and their packages in an offer mail: labels, table rows, "Role – 12 LPA" lines, "Company -
Role - Package" headings, role sections ending in a colon, and a job named in a student's line. What
a role is ("Annual CTC" and "Performance bonus" are not; "TCS Digital - CTC INR 7,00,000" is "TCS
Digital") is decided by ``clean_role``. The tables themselves are found by ``offer_tables``; roles
said in brackets and sentences by ``offer_role_prose``.

Every pattern is bounded and works on one line or one paragraph at a time.
"""

from __future__ import annotations

import re

from jiit_assets.defs.email.offers import OfferRole, role_key
from jiit_assets.defs.email.packages import Package, has_amount, package_of
from jiit_assets.lib.markup import normalize_space

# A package label may carry a qualifier ("Annual CTC:", "Total CTC:", "Monthly stipend:", "CTC offered:").
_PACKAGE_QUALIFIER = r"(?:annual|yearly|total|gross|fixed|monthly|expected|final|offered)"
_LABEL = re.compile(
    r"(?im)^[ \t]{0,10}[-•*]?[ \t]{0,3}(?P<label>company(?:\s+name)?|organi[sz]ation|recruiter|"
    r"(?:role|profile|position|designation|job\s+(?:title|role|profile|opening))(?:\s+offered)?|job\s+location|opening|vacancy|"
    rf"(?:{_PACKAGE_QUALIFIER}\s+)?(?:ctc|package|salary|compensation|stipend|remuneration)(?:\s+offered)?"
    r"(?:\s{0,2}\((?:[\w .]{1,20})\))?|location|place\s+of\s+posting|joining(?:\s+date)?|date\s+of\s+joining|doj)"
    r"[ \t]{0,3}[:\-–][ \t]{0,5}(?P<value>[^\n]{1,300})$"
)
# Checked in this order: "Job location" is a location, not a job.
_LABEL_KINDS = (
    (("company", "organi", "recruiter"), "company"),
    (("location", "job location", "place"), "location"),
    (("role", "profile", "position", "designation", "job", "opening", "vacancy"), "role"),
    (("ctc", "package", "salary", "compensation", "stipend", "remuneration"), "package"),
)
ROLE_WORD = r"(?:[A-Z][\w/&+\-]{0,30}|\([A-Za-z ]{1,40}\)|[-–—]|of|and|&)"
_ROLE_AMOUNT_LINE = re.compile(
    r"^\s{0,10}(?:[-•*▪●◦]|\(?\d{1,2}[.)])?\s{0,3}(?P<role>[A-Za-z][A-Za-z0-9 /&+().\-]{1,60}?)\s{0,3}(?:[:|–—@]|\s-\s|\(|,(?=\s{0,3}(?i:ctc|package|stipend|salary)\b))\s{0,3}(?P<rest>[^\n]{1,200})$"
)
# A second separator before the figure makes the role longer: "Analyst – Technology: INR 7,60,000".
_MORE_ROLE = re.compile(
    r"^(?P<more>[^:|@(\n]{1,40}?)\s{0,3}(?:[:|@(]|\s[-–—]\s)\s{0,3}(?P<rest>\S[^\n]{0,200})$"
)
_SENTENCE_END = re.compile(r"(?<=[a-z])[.!]\s{1,3}(?=[A-Z])")
JOB_WORD = re.compile(
    r"(?i)\b(?:engineer|analyst|developer|intern|consultant|associate|trainee|manager|scientist|designer|sde|"
    r"executive|officer|architect|specialist|programmer|tester|staff|member)\b"
)
_NOT_ROLE = re.compile(
    r"(?i)^(?:ctc|package|salary|compensation|stipend|total|fixed|variable|base|bonus|company|location|joining|"
    r"date|name|enrol|note|students?|offers?|number|no\.|dear|regards|congratulations|ppo|cost\s+to\s+company|"
    r"in[- ]hand|gross|the\s|all\s|our\s|two\s|three\s|a\s|"
    # a label on its own ("Role: Software Engineer I, CTC 21 LPA" read as a heading) is not a role
    r"(?:role|profile|position|designation|job\s+(?:title|role|profile))$)"
)
# A verb makes the words before "(CTC 9 LPA)" a sentence ("Acme has selected students for the Analyst
# role (CTC 9 LPA)"), not a role heading.
PROSE_VERB = re.compile(
    r"(?i)\b(?:has|have|had|is|are|was|were|been|will|would|selected|placed|offered|hired|received|got|"
    r"congratulations|inform|pleased|happy|selects?|selections?|results?|list|offers?)\b"
)
PERSON_LIKE = re.compile(r"^[A-Z][a-z]{1,20}(?: [A-Z][a-z]{1,20}){1,3}$")
# The segments of a heading line: "EPAM Systems - Junior Software Engineer - 8 LPA", "SDE | 12 LPA".
_SEGMENT_SPLIT = re.compile(r"\s{1,3}[-–—]\s{1,3}|\s{0,3}[|–—]\s{0,3}")
# Long dashes and bars part the segments first, so a role's own hyphen stays in it: "ERICSSON —
# Engineer - Network Software — CTC 7.6 LPA" names the role "Engineer - Network Software".
_STRONG_SPLIT = re.compile(r"\s{0,3}[|–—]\s{0,3}")
_LEADING_BULLET = re.compile(r"^\s{0,10}(?:[-•*▪●◦]|\(?\d{1,2}[.)])?\s{0,3}")


def section_heading(line: str) -> tuple[str, str, str] | None:
    """(company, role, package words) of a heading that names all three, in any order: "EPAM Systems -
    Junior Software Engineer - 8 LPA", "Data Engineer | Incedo | 7.25 LPA". The role is the segment with
    a job word; without one, the company comes first (the usual order)."""
    if len(line) > 160 or re.search(r"\d{6}", line):
        return None
    bare = _LEADING_BULLET.sub("", line)
    segments = [part.strip() for part in _STRONG_SPLIT.split(bare) if part.strip()]
    if len(segments) != 3 or not any(has_amount(part) for part in segments):
        segments = [part.strip() for part in _SEGMENT_SPLIT.split(bare) if part.strip()]
    if len(segments) != 3:
        return None
    money = [part for part in segments if has_amount(part)]
    others = [part for part in segments if not has_amount(part)]
    if len(money) != 1 or len(others) != 2 or not all(part[:1].isalpha() for part in others):
        return None
    jobbed = [part for part in others if JOB_WORD.search(part)]
    if len(jobbed) == 2:
        return None
    role = jobbed[0] if jobbed else others[1]
    company = others[0] if role is others[1] else others[1]
    return company, role, money[0]


# Chat-style emphasis around words ("*Company:* Zomato", "_Selected_"); underscores inside a word
# ("ZR_55012_CAND") are kept.
_EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,2}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,2}(?![\w*])")


def without_emphasis(text: str) -> str:
    """The text without the asterisks and underscores chat apps use for bold and italics."""
    return _EMPHASIS.sub("", text)


def job_in(text: str) -> str | None:
    """The role a short text names among its segments ("Selected Students – Cadence – Software Engineer
    (CTC: 18 LPA)" -> "Software Engineer"), if any."""
    return _job_segment(text)


def labels_of(body: str) -> dict[str, list[str]]:
    """ "Label: value" lines by kind: company, role, package, location, joining. A package keeps its
    label ("Total CTC: 12 LPA"), which says what kind of figure it is."""
    found: dict[str, list[str]] = {}
    for match in _LABEL.finditer(body):
        label = match.group("label").lower()
        value = normalize_space(match.group("value")).strip(" .;")
        if value:
            bare = re.sub(rf"^{_PACKAGE_QUALIFIER}\s+", "", label)
            kind = next((k for prefixes, k in _LABEL_KINDS if bare.startswith(prefixes)), "joining")
            if kind == "package":
                value = f"{normalize_space(match.group('label'))}: {value}"
            found.setdefault(kind, []).append(value)
    return found


# A part of the pay or a package label ("Annual CTC", "Performance bonus", "One-time joining bonus",
# "Relocation"), money the student pays or owes ("Bond", "Service agreement", "Security deposit") and
# the season's figures ("Highest package") are not roles unless a job word says otherwise
# ("Compensation Analyst").
_PAY_WORD = re.compile(
    r"(?i)\b(?:ctc|package|salary|stipend|compensation|remuneration|pay|bonus|allowances?|variable|fixed|base|"
    r"basic|hra|relocation|esops?|stocks?|rsus?|incentives?|insurance|gratuity|reimbursements?|retention|perks|"
    r"bond|agreement|deposit|penalty|fees?|fine|guarantee|surety|damages|highest|average|median|lowest)\b"
)
# Where a role's own text ends and its package begins: "TCS Digital - CTC INR 7,00,000 p.a.",
# "Backend Engineer | CTC: 14 LPA", "SDE-1 @ 18 LPA", "Analyst, package 7 LPA".
_PACKAGE_TAIL = re.compile(
    r"(?i)(?:\s{0,3}[,;|@:(]|\s[-–—]|[–—])\s{0,3}(?:(?:annual|total|gross|fixed|monthly)\s+)?"
    r"(?:ctc|package|salary|stipend|compensation|pay|(?:Rs\.?|INR|₹)\s{0,2}\d|\d[\d,.]{0,12}\s{0,2}(?:lpa|lakhs?|lacs?|l\b|k\b|/-)).*$"
)


# A label in front of the role's name ("Profile: TCS Digital - CTC …" read as one heading).
ROLE_LABEL_BEFORE = re.compile(
    r"(?i)^(?:role|profile|position|designation|job\s+(?:title|role|profile))\s{0,3}[:\-–]\s{0,3}(?=\w)"
)


# A programme's name with the job in brackets after it.
_JOB_IN_BRACKET = re.compile(r"(?P<outside>[^()]{2,60}?)\s{0,2}\((?P<job>[^()]{2,60})\)")


def clean_role(raw: str) -> str | None:
    role = normalize_space(re.sub(r"\([^)]{0,80}\d[^)]{0,80}\)", "", raw[:200])).strip(" .,:;-–—|")
    role = ROLE_LABEL_BEFORE.sub("", role)
    role = _PACKAGE_TAIL.sub("", role)
    role = re.sub(r"(?i)\s+(?:role|profile|position)$", "", role) if len(role.split()) > 2 else role
    role = re.sub(
        r"(?i)(?:\s+(?:with|at|in)\s+(?:a\s+)?|\s{0,3}[,;]\s{0,3})(?:package|ctc|stipend|salary).*$", "", role
    )
    role = re.sub(r"(?i)\s+(?:with|at|by)\s+[A-Z][\w&.\-]{0,40}(?:\s[A-Z][\w&.\-]{0,40}){0,5}$", "", role)
    role = role.strip(" .,:;-–—|@")
    bracketed = _JOB_IN_BRACKET.fullmatch(role)
    if (
        bracketed
        and JOB_WORD.search(bracketed.group("job"))
        and not JOB_WORD.search(bracketed.group("outside"))
    ):
        role = bracketed.group("job")  # "Summer Internship (Software Engineering Intern)"
    if not role or len(role) > 60 or _NOT_ROLE.match(role) or not re.search(r"[A-Za-z]{2}", role):
        return None
    if _PAY_WORD.search(role) and not JOB_WORD.search(role):
        return None
    return role


def _bare_figure(cell: str) -> Package | None:
    """A bare number in a pay column: "12" under "CTC (LPA)" is in lakhs; in rupees, a lakh or more is
    a year's pay ("6,50,000") and less is a month's stipend ("50,000" under "Stipend (per month)")."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,2})?", cell):
        return Package(float(cell))
    if not re.fullmatch(r"\d{1,3}(?:,\d{2,3}){1,3}|\d{4,8}", cell):
        return None
    rupees = float(cell.replace(",", ""))
    if rupees >= 1_00_000:
        return Package(round(rupees / 100_000, 2))
    return Package(round(rupees * 12 / 100_000, 2), None, f"{cell} per month") if rupees >= 5_000 else None


class RoleList:
    """The roles found so far; a role seen twice keeps its lowest package."""

    def __init__(self) -> None:
        self.roles: list[OfferRole] = []

    def add(self, name: str | None, package: Package | None) -> None:
        if not name:
            return
        new = OfferRole(
            name,
            package.lpa if package else None,
            package.text if package else None,
            package.high if package else None,
        )
        for position, existing in enumerate(self.roles):
            if role_key(existing.role) == role_key(name):
                if existing.package is None or (new.package is not None and new.package < existing.package):
                    self.roles[position] = OfferRole(
                        existing.role,
                        new.package,
                        new.package_details or existing.package_details,
                        new.package_max,
                    )
                return
        self.roles.append(new)

    def package_for(self, role: str | None) -> float | None:
        found = next((r for r in self.roles if role and role_key(r.role) == role_key(role)), None)
        return found.package if found else None

    def add_from_row(self, row: list[str], columns: dict[str, int]) -> tuple[str | None, Package | None]:
        """The role and package of one table row (the role added with the package)."""

        def cell(name: str) -> str:
            position = columns.get(name)
            return row[position].strip() if position is not None and position < len(row) else ""

        role = clean_role(cell("role")) if "role" in columns else None
        package_text = cell("package")
        package = package_of(package_text) if package_text else None
        if package is None:
            package = _bare_figure(package_text.strip())
        if role:
            self.add(role, package)
        return role, package

    def heading(self, line: str) -> str | None:
        """The role a "Role (12 LPA)" / "Role – 12 LPA" heading line names, else None. The role part
        is one phrase: a sentence end inside it ("… role at Acme. Stipend: …") makes it prose."""
        if parts := section_heading(line):
            role = clean_role(parts[1])
            if role:
                self.add(role, package_of(parts[2]))
            return role
        match = _ROLE_AMOUNT_LINE.match(line)
        if not match or not has_amount(match.group("rest")) or re.search(r"\d{6}", line):
            return None
        raw, rest = match.group("role"), match.group("rest")
        more = _MORE_ROLE.match(rest)
        if more and not has_amount(more.group("more")) and has_amount(more.group("rest")):
            raw, rest = line[match.start("role") : match.start("rest") + more.end("more")], more.group("rest")
        if _SENTENCE_END.search(raw) or PROSE_VERB.search(raw):
            return None
        role = clean_role(raw)
        if (
            role
            and len(_SEGMENT_SPLIT.split(role)) > 1
            and not JOB_WORD.search(_SEGMENT_SPLIT.split(role)[0])
        ):
            role = _job_segment(role) or role  # "Cadence – Software Engineer": the company first
        if role and (not PERSON_LIKE.match(role) or JOB_WORD.search(role)):
            self.add(role, package_of(rest))
            return role
        return None

    def read_columns(self, rest: tuple[str, ...], heading: str | None) -> tuple[str | None, float | None]:
        """(role, package) of a student line's other columns, else the heading's role."""
        role = heading
        known = False
        for column in rest:
            for candidate in self.roles:
                if role_key(candidate.role) and role_key(candidate.role) in role_key(column):
                    role, known = candidate.role, True
        found = next((p for p in (package_of(column) for column in rest) if p is not None), None)
        if not known:
            # A column naming a job ("Rohan Mehta, 22103301, Analyst, 32 LPA") is the student's role.
            own = next(
                (
                    r
                    for c in rest
                    if not has_amount(c) and (r := clean_role(_role_part(c))) and JOB_WORD.search(r)
                ),
                None,
            )
            if own:
                self.add(own, found)
                role = own
        return role, found.lpa if found else None


# A typed row's columns around the role: the programme and branch before it, a bare figure after it
# ("B.Tech CSE Software Development Engineer 12").
_PROGRAMME_BEFORE = re.compile(
    r"^(?:(?:B\.?\s?Tech\.?|M\.?\s?Tech\.?|Int\.?|Dual|MBA|MCA|BCA|BBA|B\.?Sc\.?|M\.?Sc\.?|CSE|IT|ECE|EEE|ME|CE|BT)"
    r"(?:-[A-Z]{2,4})?\s+)+"
)
_FIGURE_AFTER = re.compile(r"\s+\d{1,3}(?:\.\d{1,2})?$")


def _role_part(column: str) -> str:
    return _FIGURE_AFTER.sub("", _PROGRAMME_BEFORE.sub("", column.strip()))


# A section heading that names a role and ends in a colon: "Full-time - Software Engineer (2026
# graduates):", "Internship - Software Engineering Intern:"; its package may come after the list.
_ROLE_COLON = re.compile(r"^\s{0,10}(?:[-•*]\s{0,3})?(?P<role>[A-Za-z][^:\n]{2,100}?)\s{0,3}:\s{0,3}$")


def _job_segment(text: str) -> str | None:
    text = re.sub(r"\([^()]{0,60}\)", " ", text)
    for segment in _SEGMENT_SPLIT.split(text):
        role = clean_role(segment)
        if role and JOB_WORD.search(role) and not PROSE_VERB.search(role) and len(role.split()) <= 6:
            return role
    return None


def section_roles(body: str, roles: RoleList) -> dict[str, str]:
    """Role sections (heading line -> role), each role added with the package its section states."""
    lines = body[:30_000].split("\n")
    headings: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        match = _ROLE_COLON.match(line)
        if (
            not match
            or has_amount(line)
            or re.search(r"\d{5}", line)
            or PROSE_VERB.search(match.group("role"))
        ):
            continue
        role = _job_segment(match.group("role"))
        if role:
            headings.append((index, role))
    found: dict[str, str] = {}
    for position, (index, role) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        section = "\n".join(lines[index + 1 : end]).split("\n\n\n")[0]
        roles.add(role, package_of(section))
        found[lines[index].strip()] = role
    return found


def roles_from_labels(labels: dict[str, list[str]], roles: RoleList) -> None:
    """Labelled layout: "Role: …" with "CTC: …" (or the package anywhere in the labels)."""
    packages = labels.get("package", [])
    named = labels.get("role", [])
    for position, value in enumerate(named):
        role = clean_role(value)
        # One role with several package lines: a breakdown ("Fixed CTC: …", "Total CTC: …"), read together.
        together = len(named) == 1 or position >= len(packages)
        package_text = "\n".join(packages) if together else packages[position]
        # "Role: Software Engineer I, CTC 21 LPA": the role's own line states its package
        own = package_of(value)
        roles.add(role, own or (package_of(package_text) if package_text else None))


# A line that ends in a figure's unit ("SDE Intern — ₹1,00,000/month") is an item of its own.
_UNIT_END = re.compile(
    r"(?i)\d[\d,.]{0,12}\s{0,2}(?:/-\s{0,2})?(?:k\s{0,2})?(?:per\s+(?:month|annum)|/\s{0,2}month|pm|p\.?a|lpa|lakhs?)$"
)
_BULLET = re.compile(r"^\s{0,10}(?:[-•*▪●◦]|\(?\d{1,2}[.)])\s")


def carries_on(previous_line: str, line: str = "") -> bool:
    """Whether ``line`` continues the sentence of ``previous_line`` (which ends in a lower-case word or
    a comma), so it cannot be a heading of its own. A bulleted line starts an item of its own."""
    ends = previous_line.strip()
    return bool(re.search(r"[a-z,]$", ends)) and not _BULLET.match(line) and not _UNIT_END.search(ends)


def roles_from_lines(body: str, skip: set[str], roles: RoleList) -> None:
    """ "Software Engineer – 12 LPA" / "Data Analyst (8.5 LPA)" lines. A line that carries on a
    sentence wrapped from the line above ("… offered the Analog" / "Design Intern position (…)") is
    prose, not a heading."""
    previous = ""
    for line in body.split("\n"):
        continued = carries_on(previous, line)
        previous = line.strip()
        if continued or line in skip or re.search(r"\d{6}", line):
            continue
        for sentence in _SENTENCE_END.split(line.strip()):
            # "Software Engineer: 12 LPA | Data Analyst: 8 LPA": one role per part, when every part has a
            # figure ("Role: X | CTC: Y" is one role)
            parts = re.split(r"\s{1,3}[|;]\s{1,3}", sentence)
            for part in parts if len(parts) > 1 and all(has_amount(p) for p in parts) else [sentence]:
                roles.heading(part)
