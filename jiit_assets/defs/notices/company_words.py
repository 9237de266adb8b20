"""The words that company resolution for portal notices sets aside, kept apart from the rules
(``company.py``) so the lists can be read and extended on their own, and the programme codes
("SP", "DSE", "GSC") that a body spells out and that are therefore not the recruiter. No Dagster.

Lower case; a title word is compared without its surrounding punctuation.
"""

from __future__ import annotations

import re

# fmt: off
MONTHS = (
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul",
    "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec",
    "december",
)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
        "tomorrow", "tonight", "weekend")
# Words that say what kind of notice it is, which stage of a drive, or where and when: a title
# segment made of these and one name is that name.
KIND_WORDS = frozenset("""
    oa gd ppt ppo pi result results shortlist shortlists shortlisted shortlisting short-list
    short-listed selects selection selections selected interview interviews schedule scheduled rescheduled drive drives
    test tests assessment assessments round rounds online offline written technical coding aptitude
    hr group discussion talk pre-placement preplacement hiring recruitment registration
    registrations register apply application applications invited open opening openings job jobs
    profile profiles deadline date extended extension venue changed change changes cancelled
    canceled postponed preponed reporting time timings room rooms allotment slot slots day list
    candidates candidate students student status update updated updates notice announcement
    reminder link links process visit webinar seminar workshop session hackathon contest challenge
    next mock practice pool summer winter internship internships batch week policy instructions
    important urgent mandatory details info information regarding reg form forms now
    for of the on at in to with and a an by till until from new last
""".split())
# Capitalised words that are never a company, however a title is cased.
NEVER_COMPANY = frozenset("""
    pre placement placements campus final result results t&p tnp jiit alumni alumnus fwd fw re
    please welcome dear hi hello congratulations note one two all our your this these that internal
    external students hr cse it ece mba b.tech cgpa ctc lpa noc am pm ist sector lt gate lab
    hall auditorium superset day round season notice cell office department dept cdc
""".split()) | frozenset(MONTHS) | frozenset(DAYS)
HONORIFICS = frozenset("dr mr mrs ms miss prof sir madam shri smt er".split())
# Words that end or fill a company's name ("Urban Company", "Samsung Semiconductor India Research")
# but are no name on their own.
ONLY_IN_A_NAME = frozenset("india company companies co group and".split())
# Role titles: heads end a role ("SDE Intern", "Product Analyst"); modifiers may come before them.
ROLE_HEADS = frozenset("""
    sde sdes intern interns analyst analysts engineer engineers manager managers developer developers
    scientist scientists consultant consultants trainee trainees designer designers apm mts get
""".split())
ROLE_MODIFIERS = frozenset("""
    associate graduate software product data senior junior backend frontend full stack business
    engineering technology development operations sales marketing finance
""".split())
# fmt: on


def spelled_out(code: str, text: str, after: str = "") -> bool:
    """ "SP" or "GSC" written out in the body as capitalised words ("Specialist Programmer", "Global
    Solution Centre"), right after ``after`` when given ("Societe Generale Global Solution Centre")."""
    if not (2 <= len(code) <= 5 and code.isalpha() and code.isupper()):
        return False
    words = r"[ \t]+".join(rf"{letter}[a-z]+" for letter in code)
    lead = rf"{re.escape(after)}[ \t]+" if after else r"(?<![\w-])"
    return re.search(lead + words + r"(?![\w-])", text[:4000]) is not None


def without_programme_codes(names: list[str], text: str) -> list[str]:
    """A programme's or a unit's initials are not the recruiter: "Infosys SP" is Infosys when the body
    says "Infosys Specialist Programmer"; "DSE" beside it is a programme too when the body spells it out."""
    trimmed: list[str] = []
    for name in names:
        head, _, last = name.rpartition(" ")
        trimmed.append(head if head and spelled_out(last, text, after=head) else name)
    kept = [name for name in trimmed if not spelled_out(name, text)]
    return kept if kept else trimmed
