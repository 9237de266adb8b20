"""The type of a notice for students: one set of written rules for e-mail and for the portal.

The title (an e-mail's subject) is what the office chose to say, so it is read first; the body only
decides when the title says nothing specific. In order, the first rule that holds wins:

1. policy    - rules, policy, guidelines, code of conduct, calendar, statistics  -> announcement
2. reminder  - a nudge about something already announced, or "only 6 hours left"
               (e-mail only; the portal shows reminders as updates)              -> reminder / update
3. change    - a change or the logistics of a stage already announced: rescheduled,
               postponed, cancelled, extended, venue, slots, schedule, test link,
               reporting time, dress code, "report at"; or a talk or contest whose
               body opens by saying it was moved or called off                   -> update
               ("update your resume" asks an action of everyone: not a change)
4. shortlist - students who move to a further stage: a shortlist or "next round"
               title, "result of the online test", or a list of students         -> shortlisting
5. event     - a coding contest in the title                                    -> hackathon
               a talk, session, workshop, clinic, PPT, mock interview, alumni
               connect or mentoring in the title                                 -> webinar
6. NOC       - no objection certificates for internships in the title           -> internship_noc
7. opening   - an invitation to apply for a job or internship                   -> job_posting
   (then NOCs mentioned only in the body                                        -> internship_noc)
8. body      - the same questions asked of the body (a contest, a talk or alumni
               coming to share, a change to a drive, the logistics of a drive day
               unless the drive is over, a shortlist cue)
9. otherwise                                                                    -> announcement

Keywords match on word boundaries, the body is read up to ``MAX_BODY_CHARS``, and no pattern nests
quantifiers over unbounded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from jiit_assets.lib.models import NoticeType

MAX_BODY_CHARS = 3_000
Source = Literal["email", "portal"]


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# fmt: off
_POLICY = _words(
    r"polic(?:y|ies)", r"rules", r"guidelines", r"code of conduct", r"calendar", r"statistics", r"stats",
)
_REMINDER_TITLE = _words(
    r"reminders?", r"last date (?:is )?today", r"closes? (?:today|tonight)", r"closing (?:today|tonight)",
    r"final call", r"last chance",
)
_REMINDER_BODY = _words(
    r"this is a (?:gentle |friendly |final |quick )?reminder", r"a (?:gentle |friendly |quick )?reminder that",
    # urgency about a deadline already announced
    r"(?:only )?\d{1,2} (?:hours?|days?) (?:are )?left", r"closes? (?:today|tonight|at midnight)",
)
_CHANGE_TITLE = _words(
    r"re-?scheduled?", r"postponed?", r"preponed?", r"cancell?ed", r"deferred", r"delayed", r"extended",
    r"revised", r"changed?", r"change (?:in|of)", r"updated", r"updates", r"venue",
    # "Update: venue changed", but not the request "update your resume" (an action for all students)
    r"update(?! (?:your|the|resume|profile|cv|cgpa|details|marks|documents?)\b)", r"slots?", r"schedule",
    r"test link", r"reporting time", r"timings?", r"status", r"awaited",
    # a stage of a drive with its date: "Online Assessment on 8 Oct", "interviews today"
    r"(?:test|assessment|interviews?|gd|group discussion) (?:on \d{1,2}|today|tomorrow)",
)
_SHORTLIST_TITLE = _words(
    r"short[- ]?list(?:ed|ing|s)?", r"selected (?:students|candidates)", r"final (?:selects|selections?)",
    r"list of (?:selected|shortlisted|qualified) (?:students|candidates)",
    r"(?:students|candidates) (?:shortlisted|selected|qualified)", r"selected for (?:the )?(?:next|further|final)",
    r"next round", r"qualified for", r"candidates for round", r"round \d",
    # who goes on to a stage: "candidates for group discussion", "students for the technical interview"
    r"(?:students|candidates) for (?:the )?(?:gd|group discussion|interviews?|technical|hr|personal|final|next|online test|assessment)",
    r"results? (?:of|for) (?:the )?(?:online (?:test|assessment)|written test|interview|round|coding (?:test|round)|gd|aptitude)",
    r"(?:oa|online (?:test|assessment)|coding (?:test|round)|aptitude) results?",
)
_SHORTLIST_BODY = _words(
    r"short[- ]?listed (?:for|students|candidates)", r"(?:selected|qualified) for (?:the )?(?:next|further|interview|final|technical|hr|gd)",
    r"move to (?:the )?(?:next )?round", r"cleared (?:the )?(?:online test|test|coding round|round)",
)
_HACKATHON = _words(
    r"hackathons?", r"codathon", r"hackfest", r"ideathon", r"code ?sprint", r"codevita", r"build-a-thon",
    r"coding (?:contest|competition|challenge)", r"capture the flag", r"ctf", r"engineering challenge",
    r"programming (?:contest|competition)", r"hiring challenge", r"code ?fest",
)
_WEBINAR_TITLE = _words(
    r"webinars?", r"seminars?", r"workshops?", r"talks?", r"sessions?", r"masterclass", r"guest lectures?",
    r"pre[- ]placement talk", r"ppt", r"info(?:rmation)? session", r"conclave", r"panel discussion",
    r"clinic", r"mock interviews?", r"bootcamp", r"mentor(?:ing|ship)", r"fireside chat",
    r"alumni (?:connect|meet|talk|interaction|session|speaks?)", r"meet (?:our|the|your) (?:alumni|seniors)",
)
_WEBINAR_BODY = _words(
    r"webinar", r"seminar", r"masterclass", r"guest lecture", r"pre[- ]placement talk", r"workshop",
    r"mentor(?:ing|ship)", r"mock interviews?", r"q&a",
    # alumni or seniors coming to talk: "Alumni from Google will share their preparation journey"
    r"(?:alumni|seniors)\b[^.\n]{0,100}?\bwill (?:share|talk|speak|conduct|mentor|guide|interact|take)",
)
_JOB_TITLE = _words(
    r"open for applications?", r"job profiles?", r"applications? (?:are )?(?:invited|open)",
    r"job (?:opening|opportunity|openings)", r"internship (?:opportunity|opening)", r"hiring for",
    r"registrations? (?:are )?(?:now )?open", r"campus drive", r"pool (?:campus )?drive", r"is hiring",
)
_DRIVE_TITLE = _words(
    r"hiring", r"recruitment", r"(?:campus|placement|pool|off[- ]campus|hiring|internship) drive", r"now open",
    r"internship", r"batch",
)
_APPLY = _words(
    r"apply (?:now|by|before|on|through|via|at|using|here)", r"can apply", r"should register", r"register (?:on|by|before)",
    r"last date (?:to|for) (?:apply|applying|application|register|registration)",
    r"applications? (?:are )?(?:invited|open)", r"invites applications", r"registration link",
    r"interested (?:and eligible )?students (?:can|may|should) apply",
    r"register (?:on|through|via) (?:the )?(?:superset|portal)",
    r"apply kar(?:o|lo|ein|en|ke)?",  # Hinglish: "SuperSet pe apply kar lo"
)
_JOB_DETAIL = _words(
    r"ctc", r"stipend", r"lpa", r"package", r"job description", r"jd", r"eligib(?:le|ility)", r"designation",
    r"role", r"position",
)
_NOC = _words(r"NOCs?", r"no objection certificates?")
_CHANGE_BODY = _words(
    r"re-?scheduled", r"postponed", r"preponed", r"cancell?ed", r"deferred", r"extended", r"revised",
    r"(?:has|have) been changed", r"will now (?:be held|take place|start)", r"now starts", r"instead of",
    r"test link", r"reporting time", r"results? (?:are|is) (?:still )?awaited", r"will be announced",
    r"pushed (?:to|back|ahead|till)", r"(?:moved|shifted) to", r"called off",
    r"(?:open|extended) (?:till|until|up ?to)",
)
# The logistics of a drive day: where and when to report, what to wear and to bring.
_LOGISTICS = _words(
    r"report(?:ing)? (?:at|to|in|by|time|venue)", r"dress code", r"formal (?:dress|attire|wear|clothes)",
    r"attire", r"bus(?:es)? (?:leave|will leave|from|at)", r"(?:carry|bring) (?:your|two|a|an|the|along|printed|\d)",
    r"rooms? (?:no\.?|number|allot\w*)", r"room allotment", r"venue", r"reach (?:gate|the|by|at)",
    r"copies of (?:your|their|the) (?:resume|cv)s?",
)
# Logistics belong to one drive: a company's, or one on a given day. "Formal attire for all interviews"
# is a standing rule (an announcement), "formal dress for tomorrow's drive" is an update.
_ONE_DAY = _words(
    r"today", r"tonight", r"tomorrow(?:'s)?", r"day[- ]?\d", r"(?:mon|tues|wednes|thurs|fri|satur|sun)day",
    r"on \d{1,2}", r"\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*", r"kal",
)
# After the selection there is no drive day left: collecting offer letters or joining is administration.
_AFTER_SELECTION = _words(r"offer letters?", r"joining (?:date|letters?|formalities)", r"onboarding")
# A talk or contest that is moved or called off is news about its logistics, whatever its title says.
_EVENT_CHANGED = _words(
    r"(?:has|have) been (?:re-?scheduled|postponed|preponed|cancell?ed|deferred|shifted|moved)",
    r"(?:is|are) (?:re-?scheduled|postponed|preponed|cancell?ed|deferred|shifted|moved)", r"will now (?:be held|take place|start)",
    r"(?:has|have) been called off",
)
_DRIVE = _words(
    r"test", r"interview", r"interviews", r"drive", r"round", r"assessment", r"process", r"deadline",
    r"registrations?", r"applications?", r"last date", r"ppt", r"gd", r"group discussion", r"shortlist(?:ed)?", r"offer", r"joining", r"results?",
)
# fmt: on


@dataclass(frozen=True)
class TypeDecision:
    type: NoticeType
    reason: str


def _said(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(0).lower().split()) if match else None


def _title_rules(
    title: str, body: str, students: int, company: str | None, source: Source
) -> TypeDecision | None:
    if said := _said(_POLICY, title):
        return TypeDecision(NoticeType.ANNOUNCEMENT, f"a policy or rules notice (title says {said!r})")
    if said := _said(_REMINDER_TITLE, title) or _said(_REMINDER_BODY, body[:300]):
        kind = NoticeType.REMINDER if source == "email" else NoticeType.UPDATE
        return TypeDecision(kind, f"a reminder (says {said!r})")
    about_a_drive = bool(company) or bool(_DRIVE.search(title)) or bool(_DRIVE.search(body))
    event = _HACKATHON.search(title) or _WEBINAR_TITLE.search(title)
    one_drive = bool(company) or bool(_ONE_DAY.search(title) or _ONE_DAY.search(body))
    logistics = _said(_LOGISTICS, title) if one_drive else None
    if (said := _said(_CHANGE_TITLE, title) or logistics) and (about_a_drive or event):
        return TypeDecision(NoticeType.UPDATE, f"a change or the logistics of a drive (title says {said!r})")
    if event and (said := _said(_EVENT_CHANGED, body[:600])):
        return TypeDecision(NoticeType.UPDATE, f"a change to an announced event (body says {said!r})")
    if said := _said(_SHORTLIST_TITLE, title):
        return TypeDecision(NoticeType.SHORTLISTING, f"a shortlist (title says {said!r})")
    if students:
        return TypeDecision(NoticeType.SHORTLISTING, f"lists {students} student(s) for a further stage")
    if said := _said(_HACKATHON, title):
        return TypeDecision(NoticeType.HACKATHON, f"a coding contest (title says {said!r})")
    if said := _said(_WEBINAR_TITLE, title):
        return TypeDecision(NoticeType.WEBINAR, f"a talk or session (title says {said!r})")
    if said := _said(_NOC, title):
        return TypeDecision(NoticeType.INTERNSHIP_NOC, f"internship NOCs (title says {said!r})")
    if (said := _said(_JOB_TITLE, title)) and not _HACKATHON.search(body):
        return TypeDecision(NoticeType.JOB_POSTING, f"an opening (title says {said!r})")
    apply = _said(_APPLY, body)
    if apply and (_DRIVE_TITLE.search(title) or _JOB_DETAIL.search(body)):
        return TypeDecision(NoticeType.JOB_POSTING, f"an invitation to apply (body says {apply!r})")
    if said := _said(_NOC, f"{title}\n{body}"):
        return TypeDecision(NoticeType.INTERNSHIP_NOC, f"internship NOCs (says {said!r})")
    return None


def _body_rules(title: str, body: str, company: str | None) -> TypeDecision | None:
    if said := _said(_HACKATHON, body):
        return TypeDecision(NoticeType.HACKATHON, f"a coding contest (body says {said!r})")
    if said := _said(_WEBINAR_BODY, body):
        return TypeDecision(NoticeType.WEBINAR, f"a talk or session (body says {said!r})")
    about_a_drive = bool(company) or bool(_DRIVE.search(title)) or bool(_DRIVE.search(body))
    if about_a_drive and (said := _said(_CHANGE_BODY, body)):
        return TypeDecision(NoticeType.UPDATE, f"a change to a drive (body says {said!r})")
    one_drive = bool(company) or bool(_ONE_DAY.search(title) or _ONE_DAY.search(body))
    logistics = one_drive and about_a_drive and not _AFTER_SELECTION.search(body)
    if logistics and (said := _said(_LOGISTICS, body)):
        return TypeDecision(NoticeType.UPDATE, f"the logistics of a drive day (body says {said!r})")
    if said := _said(_SHORTLIST_BODY, body):
        return TypeDecision(NoticeType.SHORTLISTING, f"a shortlist (body says {said!r})")
    return None


def notice_type(
    title: str, body: str, *, source: Source, students: int = 0, company: str | None = None
) -> TypeDecision:
    """The type of one notice and the rule that decided it (see the module docstring)."""
    title = " ".join((title or "")[:500].split())
    body = (body or "")[:MAX_BODY_CHARS]
    return (
        _title_rules(title, body, students, company, source)
        or _body_rules(title, body, company)
        or TypeDecision(NoticeType.ANNOUNCEMENT, "a placement notice without a more specific type")
    )
