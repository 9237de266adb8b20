"""The type of a notice for students: one set of written rules for e-mail and for the portal.

The title (an e-mail's subject) is what the office chose to say, so it is read first; the body decides
when the title says nothing specific. In order, the first rule that holds wins:

1. policy    - rules, policy, guidelines, code of conduct, calendar, statistics,
               an orientation (the office's briefing on its own process)         -> announcement
2. reminder  - a nudge about something already announced, or "only 6 hours left"
               (e-mail only; the portal shows reminders as updates)              -> reminder / update
3. list      - a revised or corrected list of students is still a shortlist      -> shortlisting
4. change    - a change or the logistics of a stage already announced: rescheduled,
               postponed, cancelled, extended, venue, slots, schedule, test link,
               reporting time, dress code, "report at"; or a talk or contest whose
               body says it was moved or called off                              -> update
               ("update your resume" asks an action of everyone: not a change)
5. shortlist - students who move to a further stage: a shortlist or "next round"
               title, "result of the online test"                                -> shortlisting
6. event     - a coding contest in the title                                    -> hackathon
               an event to attend and learn in the title: talk, session,
               workshop, clinic, PPT, mock interview, mentoring                  -> webinar
7. NOC       - no objection certificates for internships in the title           -> internship_noc
8. opening   - an opening in the title                                          -> job_posting
   list      - a list of students in the body, when the title names no kind      -> shortlisting
9. body      - when the title has no type word, the body is read sentence by sentence and every
               sentence with a sign of a type counts for it (the first sentence 3, the second 2,
               the others 1): a change or drive-day logistics (update), students moving on
               (shortlisting), a contest, an orientation (announcement), an event to attend
               (webinar), NOCs, an invitation to
               apply with a role, CTC or eligibility (job_posting). The highest score wins; a tie
               goes to the type higher in this list. Logistics count only for one drive (named,
               dated or the company's) and never after the selection.
10. otherwise                                                                   -> announcement

Keywords (``notice_signs``) match on word boundaries, and the body is read up to ``MAX_BODY_CHARS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from jiit_assets.lib import notice_signs as signs
from jiit_assets.lib.models import NoticeType

MAX_BODY_CHARS = 3_000
MAX_SENTENCES = 40
# What a sentence counts for by its place: the first sentences say what a notice is about.
LEAD_WEIGHTS = (3, 2)
# A line at least this long that does not end a sentence was wrapped by the mail client.
WRAP_WIDTH = 60
Source = Literal["email", "portal"]


@dataclass(frozen=True)
class TypeDecision:
    type: NoticeType
    reason: str


def _said(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(0).lower().split()) if match else None


@dataclass(frozen=True)
class _Context:
    """What the whole notice says about itself, which gates the signs of a change or of logistics."""

    about_a_drive: bool  # names a drive, test, interview, registration, campus visit ...
    one_drive: bool  # one drive: the company's, a named or a dated one, not a rule for every drive
    after_selection: bool  # offer letters, joining: no drive day is left
    job_detail: bool  # a role, CTC, stipend or eligibility: what makes "apply" an opening
    invites: bool  # an invitation to apply with a job detail: an opening, whose stages have dates too
    practice: bool  # a mock or practice test: no company's drive
    changed: bool  # the opening sentences say something changed: an opening announced before

    @classmethod
    def of(cls, title: str, body: str, lead: str, company: str | None) -> _Context:
        whole = f"{title}\n{body}"
        job_detail = bool(signs.JOB_DETAIL.search(body) or signs.DRIVE_TITLE.search(title))
        dated = bool(signs.ONE_DAY.search(whole) or signs.NAMED_DRIVE.search(whole))
        return cls(
            about_a_drive=bool(company) or bool(signs.DRIVE.search(whole)),
            changed=bool(signs.CHANGE_BODY.search(lead)),
            one_drive=(bool(company) or dated) and not signs.STANDING.search(whole),
            after_selection=bool(signs.AFTER_SELECTION.search(body)),
            job_detail=job_detail,
            invites=job_detail and bool(signs.APPLY.search(body)),
            practice=bool(signs.PRACTICE.search(whole)),
        )


def _title_rules(
    title: str, body: str, students: int, context: _Context, source: Source
) -> TypeDecision | None:
    if said := _said(signs.POLICY, title):
        return TypeDecision(NoticeType.ANNOUNCEMENT, f"a policy or rules notice (title says {said!r})")
    if said := _said(signs.REMINDER_TITLE, title) or _said(signs.REMINDER_BODY, body[:300]):
        kind = NoticeType.REMINDER if source == "email" else NoticeType.UPDATE
        return TypeDecision(kind, f"a reminder (says {said!r})")
    if (said := _said(signs.AMENDED_LIST, title)) and (students or signs.SHORTLIST_TITLE.search(title)):
        return TypeDecision(
            NoticeType.SHORTLISTING, f"a corrected list of students is a shortlist (title says {said!r})"
        )
    event = signs.HACKATHON.search(title) or signs.WEBINAR_TITLE.search(title)
    logistics = _said(signs.LOGISTICS, title) if context.one_drive else None
    if (said := _said(signs.CHANGE_TITLE, title) or logistics) and (context.about_a_drive or event):
        return TypeDecision(NoticeType.UPDATE, f"a change or the logistics of a drive (title says {said!r})")
    if event and (said := _said(signs.EVENT_CHANGED, body[:600])):
        return TypeDecision(NoticeType.UPDATE, f"a change to an announced event (body says {said!r})")
    if said := _said(signs.SHORTLIST_TITLE, title):
        return TypeDecision(NoticeType.SHORTLISTING, f"a shortlist (title says {said!r})")
    if said := _said(signs.HACKATHON, title):
        return TypeDecision(NoticeType.HACKATHON, f"a coding contest (title says {said!r})")
    if said := _said(signs.WEBINAR_TITLE, title):
        return TypeDecision(NoticeType.WEBINAR, f"an event to attend (title says {said!r})")
    if said := _said(signs.NOC, title):
        return TypeDecision(NoticeType.INTERNSHIP_NOC, f"internship NOCs (title says {said!r})")
    if (said := _said(signs.JOB_TITLE, title)) and not signs.HACKATHON.search(body):
        return TypeDecision(NoticeType.JOB_POSTING, f"an opening (title says {said!r})")
    if students:  # a title that names its kind outranks names found in the body
        return TypeDecision(NoticeType.SHORTLISTING, f"lists {students} student(s) for a further stage")
    return None


def _always(_: _Context) -> bool:
    return True


@dataclass(frozen=True)
class _BodySign:
    type: NoticeType
    what: str  # what the sign shows, for the reason
    pattern: re.Pattern[str]
    counts: Callable[[_Context], bool] = _always  # whether the notice lets this sign count


# The body's signs, in the precedence that breaks a tie.
_BODY_SIGNS: tuple[_BodySign, ...] = (
    _BodySign(NoticeType.UPDATE, "a change to a drive", signs.CHANGE_BODY, lambda c: c.about_a_drive),
    _BodySign(
        NoticeType.UPDATE,
        "the logistics of a drive day",
        signs.LOGISTICS,
        lambda c: c.about_a_drive and c.one_drive and not c.after_selection,
    ),
    _BodySign(
        NoticeType.UPDATE,
        "when or where a stage of a drive happens",
        signs.STAGE_TIME,
        lambda c: c.about_a_drive and not c.invites and not c.practice,
    ),
    _BodySign(NoticeType.SHORTLISTING, "students moving to a further stage", signs.SHORTLIST_BODY),
    _BodySign(NoticeType.HACKATHON, "a coding contest", signs.HACKATHON),
    _BodySign(NoticeType.ANNOUNCEMENT, "the placement office's briefing on its process", signs.ORIENTATION),
    _BodySign(NoticeType.WEBINAR, "an event to attend", signs.WEBINAR_BODY),
    _BodySign(NoticeType.INTERNSHIP_NOC, "internship NOCs", signs.NOC),
    _BodySign(
        NoticeType.JOB_POSTING,
        "an invitation to apply",
        signs.APPLY,
        lambda c: c.job_detail and not c.changed,
    ),
)
_PRECEDENCE = tuple(dict.fromkeys(sign.type for sign in _BODY_SIGNS))


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` goes on with the sentence of ``previous`` (a mail wrapped at ~72 columns)."""
    if not previous or signs.LINE_END.search(previous):
        return False
    return line[0].islower() or line[0] in "(&" or len(previous) >= WRAP_WIDTH


def _sentences(body: str) -> list[str]:
    """The body's sentences, without salutations and the header lines of forwarded mail."""
    lines: list[str] = []
    for line in (raw.strip() for raw in body.splitlines()):
        if not line:
            lines.append("")  # a paragraph ends every sentence
        elif signs.MAIL_HEADER.match(line) or signs.SALUTATION.fullmatch(line):
            continue
        elif lines and _continues(lines[-1], line):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    sentences = (part.strip() for line in lines for part in signs.SENTENCE_END.split(line))
    return [sentence for sentence in sentences if sentence][:MAX_SENTENCES]


def _body_rules(sentences: list[str], context: _Context) -> TypeDecision | None:
    scores: dict[NoticeType, int] = {}
    first: dict[NoticeType, tuple[str, str]] = {}  # the first sign of each type, for the reason
    for index, sentence in enumerate(sentences):
        weight = LEAD_WEIGHTS[index] if index < len(LEAD_WEIGHTS) else 1
        counted: set[NoticeType] = set()
        for sign in _BODY_SIGNS:
            if sign.type in counted or not sign.counts(context):
                continue
            if said := _said(sign.pattern, sentence):
                counted.add(sign.type)
                scores[sign.type] = scores.get(sign.type, 0) + weight
                first.setdefault(sign.type, (sign.what, said))
    if not scores:
        return None
    best = max(scores, key=lambda kind: (scores[kind], -_PRECEDENCE.index(kind)))
    what, said = first[best]
    others = ", ".join(f"{kind} {score}" for kind, score in sorted(scores.items()) if kind != best)
    weighed = f"; outweighs {others}" if others else ""
    return TypeDecision(best, f"{what} (body says {said!r}; weight {scores[best]}{weighed})")


def notice_type(
    title: str, body: str, *, source: Source, students: int = 0, company: str | None = None
) -> TypeDecision:
    """The type of one notice and the rule that decided it (see the module docstring)."""
    title = " ".join((title or "")[:500].split())
    body = (body or "")[:MAX_BODY_CHARS]
    sentences = _sentences(body)
    context = _Context.of(title, body, " ".join(sentences[: len(LEAD_WEIGHTS)]), company)
    return (
        _title_rules(title, body, students, context, source)
        or _body_rules(sentences, context)
        or TypeDecision(NoticeType.ANNOUNCEMENT, "a placement notice without a more specific type")
    )
