"""Roles and their packages said in running text: brackets that state a role with its figure
("(Associate Software Engineer, 4.5 LPA; Advanced ASE, 6.5 LPA)", "(Role: Cloud Engineer, CTC: 9
LPA)", "Software Engineer (12 LPA) and Data Analyst (8 LPA)") and sentences ("are being offered the
role of …", "for the full-time role of …", "for the … role").

Every pattern is bounded and works on one paragraph at a time.
"""

from __future__ import annotations

import re

from jiit_assets.defs.email.offer_roles import (
    JOB_WORD,
    PERSON_LIKE,
    PROSE_VERB,
    ROLE_LABEL_BEFORE,
    ROLE_WORD,
    RoleList,
    clean_role,
)
from jiit_assets.defs.email.offers import role_key
from jiit_assets.defs.email.packages import has_amount, package_of
from jiit_assets.lib.text import company_key

# A level after the role's name is part of it ("the role of Software Engineer 2", "Analyst II"); a
# number that is a figure or a span ("Engineer 2 LPA", "Intern 6 months") is not.
_LEVEL = r"(?:[ \t]{1,3}[1-4](?![\w,]|\.\d|[ \t]{0,3}(?i:lpa|l\b|lakhs?|lacs?|months?|years?|yrs?|k\b)))?"
_ROLE_SENTENCES = [
    re.compile(p)
    for p in (
        # "for the full-time role of", "offered the Graduate Trainee position of": up to two words between
        r"(?i:\b(?:for|offered|as)\s+the\s+(?:[\w\-]{1,20}\s+){0,2}?(?:role|position|profile|post)\s+of\s+(?:an?\s+)?)"
        rf"(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,6}}{_LEVEL})",
        rf"(?i:\b(?:for|to|offered|offering)\s+(?:the\s+|a\s+|an\s+)?(?:full[- ]time\s+)?)(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,5}})"
        r"[ \t]{1,3}(?i:roles?|positions?|profiles?)\b",
        rf"(?i:\bas\s+(?:an?\s+)?)(?=[A-Z])(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,5}})",
        # a name just before a bracketed figure: "the final result for GenC Next (CTC 6.75 LPA)"
        r"(?i:\b(?:for|as|in)\s+(?:the\s+|an?\s+)?)"
        rf"(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,4}})[ \t]{{0,2}}\((?=[^)\n]{{0,40}}\d)",
        # the weakest: "offer for Backend Engineering Intern", "offers ... for Member of Technical Staff";
        # only a name with a job word in it counts (see roles_from_sentences)
        rf"(?i:\bfor\s+(?:the\s+)?)(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,5}})",
    )
]
# A line break inside a sentence: the line before ends in a lower-case word or a comma (lists end in
# digits or brackets and are left alone).
_WRAPPED_PROSE = re.compile(r"(?<=[a-z,])\n(?=[A-Za-z])")


# A bracket that states the role and its package: "(Associate Software Engineer, 4.5 LPA; Advanced
# ASE, 6.5 LPA)", "(SDE Intern, INR 50,000 pm + PPO 18 LPA)", "(Analyst – 12.5 LPA (CTC))".
_BRACKET = re.compile(r"\((?P<inner>[^()\n]{3,200}(?:\([^()\n]{0,30}\)[^()\n]{0,60})?)\)")
_BRACKET_ROLE = re.compile(r"^(?P<role>[^,:;|–—]{2,60}?)\s{0,3}(?:[,:|–—]|\s-\s)\s{0,3}(?P<rest>.{1,160})$")


# A role's name just before a bracket that holds only its figure.
_NAMED_BEFORE = re.compile(
    rf"(?P<role>[A-Z][\w/&+\-]{{0,30}}(?:[ \t]{{1,3}}{ROLE_WORD}){{0,5}})[ \t]{{0,2}}$"
)


def roles_from_brackets(body: str, roles: RoleList) -> None:
    """Roles and packages stated together inside brackets, one or more per bracket (split at ";")."""
    for match in _BRACKET.finditer(body[:30_000]):
        named = _NAMED_BEFORE.search(body[max(0, match.start() - 80) : match.start()])
        if named and has_amount(match.group("inner")) and not _BRACKET_ROLE.match(match.group("inner")):
            # "for the roles of Software Engineer (12 LPA) and Data Analyst (8 LPA)"
            role = clean_role(named.group("role"))
            if role and JOB_WORD.search(role) and not PROSE_VERB.search(role):
                roles.add(role, package_of(match.group("inner")))
            continue
        for part in re.split(r"\s{0,3};\s{0,3}", match.group("inner")):
            # "(Role: Cloud Engineer, CTC: 9 LPA)": the label before the role's name goes
            pair = _BRACKET_ROLE.match(ROLE_LABEL_BEFORE.sub("", part.strip()))
            if not pair or has_amount(pair.group("role")) or not has_amount(pair.group("rest")):
                continue
            role = clean_role(pair.group("role"))
            known = (
                role is not None
                and roles.package_for(role) is None
                and any(role_key(r.role) == role_key(role) for r in roles.roles)
            )
            if role and (known or JOB_WORD.search(role) or re.fullmatch(r"[A-Z][A-Z0-9\- ]{1,15}", role)):
                roles.add(role, package_of(pair.group("rest")))


def roles_from_sentences(body: str, company: str, roles: RoleList) -> None:
    """ "… for the role of Software Engineer with a CTC of 12 LPA": the first role a sentence names.
    Prose wrapped at a fixed width ("for the Software\nEngineering Intern role") is read as one line; a
    mail typed all in lower case is read with its words capitalised, since a role cannot be told by case."""
    body = _WRAPPED_PROSE.sub(" ", body)
    if not re.search(r"[A-Z]", body[:30_000]):
        body = re.sub(r"\b[a-z]", lambda match: match.group(0).upper(), body[:30_000])
    for pattern in _ROLE_SENTENCES:
        for match in pattern.finditer(body[:30_000]):
            role = clean_role(match.group("role"))
            if (
                not role
                or company_key(role) == company_key(company)
                or (PERSON_LIKE.match(role) and not JOB_WORD.search(role))
                or (pattern is _ROLE_SENTENCES[-1] and not JOB_WORD.search(role))
            ):
                continue
            paragraph_end = body.find("\n\n", match.end())
            paragraph_start = body.rfind("\n\n", 0, match.start())
            sentence = body[max(paragraph_start, 0) : paragraph_end if paragraph_end > 0 else len(body)]
            roles.add(role, package_of(sentence) or package_of(body))
            return
