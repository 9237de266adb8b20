"""Whether a placement mail announces final offers: evidence combined into one decision with a reason.

A mail is an offer when it states a package and either says in words that students were finally
selected ("have been placed", "are being offered the role of", "has extended offers to", "cleared all
rounds", "congratulations to all three of you", PPO) or, without such words, brings together enough of
the other signs of a result (congratulations, "results"/"offers" in the subject, a list of students
with enrollment numbers, a forwarded mail from a company's own domain). Whatever else it says, a mail
that is about a later round, a schedule, a reminder, a talk, results still awaited, a discount or an
account alert is a notice: those vetoes are checked first, so precision never rests on the weights.

Every pattern is bounded and the text scanned is capped, so hostile input cannot make it slow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiit_assets.defs.email.offer_roles import without_emphasis
from jiit_assets.defs.email.offer_tables import lpa_column, table_blocks
from jiit_assets.defs.email.packages import Amount, find_amounts
from jiit_assets.defs.email.privacy import clean_subject, strip_private
from jiit_assets.lib.markup import normalize_space
from jiit_assets.lib.students import inline_students, join_records, listed_students

MAX_DECISION_CHARS = 20_000
# How many of the supporting signs make a result without final-selection words.
SUPPORT_NEEDED = 3

_FINAL_SELECTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:has|have)\s+been\s+(?:finally\s+)?(?:selected|placed|hired|offered|recruited)\b",
        r"\b(?:is|are)\s+being\s+offered\b",
        # active voice: "Adobe has offered the Member of Technical Staff role to …"
        r"\b(?:has|have)\s+offered\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]{1,20}\s+){0,5}(?:roles?|positions?|internships?|"
        r"jobs?|offers?|profiles?)\b",
        r"\bfinal(?:ly)?\s+(?:selected|selects|selections?|results?|offers?|placements?)\b",
        r"\bfinal\s+list\s+of\s+(?:the\s+)?(?:(?:students|candidates)\s+(?:who\s+(?:have\s+been|were)\s+)?)?"
        r"(?:selected|placed|hired|offered)\b",
        r"\b(?:got|received|bagged|secured|accepted|grabbed|landed|earned)\s+(?:an?\s+|the\s+|their\s+)?"
        r"(?:[\w-]{1,20}\s+){0,2}offers?\b",
        r"\b(?:has|have)\s+been\s+(?:extended|given|issued|made|rolled\s+out|released)\s+(?:an?\s+|the\s+|their\s+)?offers?\b",
        r"\bpre[- ]placement\s+offers?\b|\bPPOs?\b",
        r"\boffer\s+letters?\s+(?:has|have)\s+been\s+(?:issued|released|rolled\s+out|extended|sent)\b",
        r"\b(?:has|have)\s+(?:extended|rolled\s+out|made|released|issued)\s+(?:\w{1,15}\s+)?offers?\s+to\b",
        r"\boffers?\s+(?:have\s+been|were)\s+(?:released|rolled\s+out|extended|made)\b",
        r"\b(?:got\s+)?placed\s+(?:at|in|with)\b",
        r"\bselected\s+(?:at|by|with|in)\s+(?:M/s\.?\s+)?[A-Z]",
        r"\bon\s+(?:their|your|his|her)\s+selection\b|\bselections?\s+(?:at|with|by)\s+(?:M/s\.?\s+)?[A-Z]",
        r"\b(?:are|is|were)\s+selected\s+for\s+the\s+(?:[\w-]{1,15}\s+){0,2}(?:role|position|post|profile|internship|program)\b",
        r"\bcleared\s+all\s+(?:the\s+)?rounds\b",
        r"\bcongratulations\s+to\s+(?:all|both)\s+(?:\w{1,10}\s+)?of\s+you\b",
        r"\bconfirmed\s+(?:the|your)\s+selection\b|\bfinali[sz]ed\s+(?:its|their)\s+selections?\b",
        r"\b(?:has|have)\s+selected\s+(?:\w{1,10}\s+){0,3}(?:students?|candidates?)\b",
        r"\bcongratulations\b[^.\n]{0,80}\b(?:selected|placed|offers?)\b",
        r"\bplacement\s+(?:offer|result)s?\b",
        r"\bselection\s+(?:list|results?)\b",
        # other words for the same: "announce the selection of the following students", "Zomato has
        # hired 2 of our students", "will be joining Oracle", "bagged a job at PwC", "made it through
        # the final interview", Hinglish "selection ho gaya"
        r"\bthe\s+selection\s+of\s+(?:the\s+following|our|these|\d{1,3})\b",
        # an applicant-tracking status: "Status: Offer Extended", "status changed to Offer Extended",
        # a table cell "| Offer Released |"
        r"\b(?:status|stage)\s{0,3}(?::|changed\s+to|moved\s+to|updated\s+to)\s{0,3}(?:offer\s+(?:extended|released|made|"
        r"accepted|rolled\s+out)|hired)\b",
        r"\|\s{0,3}(?:offer\s+(?:extended|released|made|accepted)|hired)\s{0,3}(?:\||$)",
        r"\b(?:announced|declared|shared|released)\s+(?:its|their|the)\s+(?:final\s+)?(?:selections?|selects|"
        r"selected\s+(?:students|candidates)|offers?)\b",
        r"\b(?:has|have)\s+(?:hired|recruited|onboarded|chosen|picked|absorbed)\s+(?:[\w-]{1,10}\s+){0,3}"
        r"(?:students?|candidates?|graduates?|of\s+(?:our|us))\b",
        r"\bwill\s+be\s+joining\s+(?:M/s\.?\s+)?[A-Z]",
        r"\b(?:bagged|secured|landed|grabbed|earned)\s+(?:an?\s+|the\s+|their\s+)?(?:[\w-]{1,15}\s+)?"
        r"(?:job|placement|position|role|internship)s?\b",
        r"\b(?:made\s+it\s+through|cleared|passed|qualified)\s+(?:the\s+)?final\s+(?:interview|round|hr)\b",
        r"\b(?:selection|select|placement|placed)\s+ho\s+(?:gaya|gayi|gaye|gye|chuka|chuki|chuke)\b",
        # an intern kept on: "have been converted to full-time Analyst roles", "PPO conversion"
        r"\bconverted\s+(?:to|into)\s+(?:a\s+)?(?:full[- ]time|permanent|FTE)\b",
        r"\b(?:who|that)\s+will\s+(?:be\s+)?receiv(?:e|ing)\s+(?:the\s+|their\s+)?offers?\b",
    )
]
_NOT_FINAL_BODY = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:selected|shortlisted|short[- ]listed|qualified|cleared)\s+for\s+(?:the\s+)?(?:next|further|subsequent|"
        r"second|third|final|technical|hr|personal|group|online|coding|aptitude|interview)\b",
        r"\bnext\s+round\b",
        # "selected for the Specialist Programmer interview", "are selected for the coding round"
        r"\b(?:selected|shortlisted|short[- ]listed|qualified|chosen|called)\b[^.\n]{0,60}?\bfor\s+(?:the\s+)?(?:[\w'’-]{1,20}\s+){0,3}"
        r"(?:interviews?|round|test|assessment|gd|group\s+discussion)\b",
        # a later stage still to come: "interviews will be scheduled", "offers … after the HR round"
        r"\b(?:interviews?|next\s+round|hr\s+round|technical\s+round)\s+(?:will|shall)\s+be\s+(?:held|scheduled|conducted)\b",
        r"\bwill\b[^.\n]{0,60}\bafter\s+(?:the\s+)?(?:[\w-]{1,15}\s+){0,2}(?:round|interview)s?\b",
        r"\beligible\s+(?:to\s+apply|for\s+the\s+(?:drive|process|test))\b|\bapply\s+(?:by|before)\b",
        r"\bselected\s+to\s+(?:apply|register|participate|attend|appear)\b",
        r"\b(?:scholarships?|fellowships?|prize\s+money|cash\s+prize)\b",
        r"\bpre[- ]placement\s+talks?\b",
        r"\bthis\s+is\s+a\s+(?:gentle\s+|friendly\s+|final\s+)?reminder\b",
        # collecting offer letters already given is a notice; a company that "will share the offer
        # letters" later is a sign of an offer, not a veto
        r"\b(?:submit|upload|collect|pick\s+up)\s+(?:a\s+copy\s+of\s+)?(?:your|their|the)\s+(?:printed\s+|signed\s+)?"
        r"offer\s+letters?\b",
        r"\b(?:share|send)\s+(?:a\s+copy\s+of\s+)?(?:your|their)\s+(?:printed\s+|signed\s+)?offer\s+letters?\b",
        r"(?<!\bwill\s)(?<!\bshall\s)\b(?:share|send)\s+(?:a\s+copy\s+of\s+)?the\s+(?:printed\s+|signed\s+)?offer\s+letters?\b",
        r"\b(?:students|candidates|you)\s+(?:\w{1,15}\s+){0,2}(?:will|shall)\s+(?:share|send)\s+(?:a\s+copy\s+of\s+)?the\s+"
        r"(?:printed\s+|signed\s+)?offer\s+letters?\b",
        # a stage still ahead: "cleared the online assessment and will appear for the interviews"
        r"\bcleared\s+(?:the\s+)?(?:[\w-]{1,20}\s+){0,3}(?:online\s+(?:test|assessment)|OA|test|coding\s+(?:test|round)|"
        r"aptitude(?:\s+test)?|written\s+test)\b",
        r"\bwill\s+(?:now\s+)?(?:appear|sit|be\s+called|be\s+invited|proceed|move|go\s+through)\s+(?:for|to|in)\s+"
        r"(?:the\s+)?(?:interviews?|next|further|technical|hr|gd|group|personal|final\s+(?:round|interview))\b",
        # a stage still ahead, in other words: "selected in the online assessment … must attend the TR/HR interview"
        r"\b(?:selected|shortlisted|qualified|cleared|passed)\s+(?:in|through)\s+(?:the\s+)?(?!all\b|final\b)"
        r"(?:[\w-]{1,20}\s+){0,2}(?:assessment|test|gd|group\s+discussion|aptitude|written|coding\s+round)\b",
        r"\b(?:must|should|shall|need\s+to|are\s+required\s+to|have\s+to|are\s+to)\s+(?:now\s+)?(?:attend|appear|report|sit)"
        r"\s+(?:for\s+|in\s+|at\s+)?(?:the\s+)?(?:[\w/-]{1,15}\s+){0,3}(?:interviews?|rounds?|gd|test|assessment|discussion)\b",
        r"\b(?:security\s+alert|sign[- ]in\s+attempt|suspicious\s+(?:activity|sign[- ]in|login))\b",
        r"\b(?:\d{1,3}\s*%\s*off|discount|coupon|promo\s+code|limited[- ]time\s+offer)\b",
        r"\bunsubscribe\s+from\s+(?:this|our)\s+(?:newsletter|mailing)\b",
        r"\binterview\s+(?:schedule|slots?)\b|\b(?:test|assessment)\s+schedule\b",
        r"\bresults?\b[^.\n]{0,30}\bawaited\b|\bresults?\b[^.\n]{0,60}\bwill\s+be\s+(?:announced|declared|shared)\b",
    )
]
# Signs of a stage short of the offer that outweigh the other signs of a result (but not explicit
# final-selection words: "of the 20 shortlisted, 5 have been selected" is an offer).
_NOT_FINAL_WITHOUT_SELECTION = re.compile(
    r"(?i)\b(?:short[- ]?listed|wait[- ]?listed|eligible|further\s+details|next\s+steps|will\s+be\s+(?:contacted|informed)|"
    r"(?:qualified|cleared|passed)\s+(?:the\s+)?(?!all\b|final\b|every\b)(?:[\w-]{1,20}\s+){0,3}(?:rounds?|test|assessment|exam|nqt))\b"
)
_NOT_FINAL_SUBJECT = re.compile(
    r"(?i)\b(?:short[- ]?list(?:ed|ing)?|reminder|schedule[d]?|ppt|pre[- ]placement\s+talk|webinar|hackathon|"
    r"registration|newsletter|security|noc|next\s+round|round\s+\d|interview\s+(?:call|slots?)|test\s+link|"
    r"awaited|guidelines|policy|statistics|stats|digest|bulletin|edition|collect(?:ion)?|distribution|"
    # an event with placed students as speakers, a look back over the season
    r"session|talk|workshop|interaction|masterclass|ama|highlights|round[- ]?up|recap|hall\s+of\s+fame|"
    # not a job: a scholarship, a prize, a contest
    r"scholarships?|fellowships?|awards?|prizes?|quiz|contest|competition)\b"
)
_CONGRATULATION = re.compile(
    r"(?i)\b(?:congratulat\w{0,6}|congrats|heartiest|kudos|well\s+done|way\s+to\s+go)\b"
)
# The body says a result is out: "announced the result", "results are declared", a list headed
# "Selected students:".
_RESULT_BODY = re.compile(
    r"(?i)\b(?:announced|declared|shared|released)\s+(?:the\s+|its\s+|their\s+)?(?:final\s+)?results?\b|"
    r"\bresults?\s+(?:(?:of|for)\s+[^.\n]{1,40}?\s+)?(?:are|is|have\s+been|has\s+been)\s+(?:out|declared|announced)\b|"
    r"\b(?:selected|final)\s+(?:students|candidates|list)\s{0,3}[:\-–]|(?m:^\W{0,3}(?:selected|final\s+selects?)\s{0,3}:)"
)
# The layout of a result card: "Company: …" with "Role: …" or "CTC: …" labels.
_RESULT_CARD = re.compile(
    r"(?im)^\W{0,3}company(?:\s+name)?\s{0,3}:.{1,80}\n(?:.{0,200}\n){0,3}?\W{0,3}(?:role|ctc|package)\s{0,3}:"
)
_RESULT_SUBJECT = re.compile(
    r"(?i)\b(?:results?|selects?|selections?|selected|offers?|outcome|placed|hired|hiring\s+results?)\b"
)


# A company's own "Selected candidates" mail that states the offer ("Offer letters will be shared",
# "date of joining"): with no further stage (vetoed above) the list is final, not a shortlist.
_SELECTED_TITLE = re.compile(r"(?i)\bselected\s+(?:candidates|students)\b")
_OFFER_STATED = re.compile(
    r"(?i)\boffer\s+letters?\b|\b(?:date\s+of\s+joining|joining\s+(?:date|letters?|formalities|instructions))\b|"
    r"\bwill\s+(?:be\s+)?join(?:ing)?\b"
)


def _selected_title_with_offer(subject: str, body: str) -> re.Match[str] | None:
    """ "Selected candidates" in the subject (or a forwarded mail's subject) of a mail that states the
    offer itself."""
    titles = [subject, *re.findall(r"(?im)^\W{0,3}subject\s{0,3}:([^\n]{1,200})", body[:4000])]
    if not any(_SELECTED_TITLE.search(title) for title in titles):
        return None
    return _OFFER_STATED.search(body)


@dataclass(frozen=True)
class OfferDecision:
    is_offer: bool
    reason: str
    # the text the offer rests on when sections of a digest were set aside (None: the whole mail)
    kept_text: str | None = None


def _final_wording(text: str) -> re.Match[str] | None:
    return next((m for p in _FINAL_SELECTION if (m := p.search(text))), None)


def _body_veto(body: str) -> str | None:
    for pattern in _NOT_FINAL_BODY:
        if match := pattern.search(body):
            return f"not a final offer: mentions {normalize_space(match.group(0)).lower()!r}"
    return None


# A heading of a digest typed in capitals on its own line ("SELECTIONS THIS WEEK", "RESULTS AWAITED").
_HEADING = re.compile(
    r"(?m)^[ \t#*]{0,6}(?=[^a-z\n]{0,60}[A-Z]{3}[^a-z\n]{0,60}$)[A-Z][A-Z0-9 &/,'()\-]{3,60}:?[ \t*]*$"
)


def _sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) of each part of a digest with two or more capitalised headings, the text before
    the first heading included; the whole body as one part otherwise."""
    headings = list(_HEADING.finditer(body))
    if len(headings) < 2:
        return [("", body)]
    starts = [0, *(m.start() for m in headings)]
    ends = [*(m.start() for m in headings), len(body)]
    titles = ["", *(m.group(0).strip(" \t#*:") for m in headings)]
    return [(title, body[a:b]) for title, a, b in zip(titles, starts, ends, strict=True)]


def _kept_sections(body: str) -> tuple[str, list[str], str | None]:
    """The body without the digest sections a veto marks as not final, the reasons for the ones set
    aside, and the veto when nothing is left. A digest may carry one company's final results beside
    another's "results awaited": the veto of one section does not reach the other."""
    kept: list[str] = []
    dropped: list[str] = []
    first: str | None = None
    for title, text in _sections(body):
        if vetoed := _body_veto(text):
            first = first or vetoed
            dropped.append(f"section {title.lower()!r} set aside ({vetoed})" if title else vetoed)
        else:
            kept.append(text)
    if first is not None and not any(_final_wording(text) for text in kept):
        return body, dropped, first
    return "".join(kept), dropped, None


def _amounts(subject: str, body: str) -> list[Amount]:
    """Money figures in the body or subject, or bare numbers under a table's "CTC (LPA)" header
    (a table of cells or a plain-text one)."""
    found = find_amounts(body) or find_amounts(subject)
    if found:
        return found
    for columns, rows in table_blocks(body):
        position = columns.get("package")
        for row in rows:
            cell = row[position].strip() if position is not None and position < len(row) else ""
            if re.fullmatch(r"\d{1,3}(?:\.\d{1,2})?", cell) and float(cell) > 0:
                found.append(Amount(float(cell), False, None, f"{cell} LPA"))
    found.extend(Amount(figure, False, None, f"{figure:g} LPA") for figure in lpa_column(body).values())
    return found


def _support(subject: str, body: str, company_sender: bool) -> list[str]:
    signs: list[str] = []
    if match := _CONGRATULATION.search(body):
        signs.append(f"congratulation ({match.group(0).lower()!r})")
    if match := _RESULT_SUBJECT.search(subject):
        signs.append(f"subject says {match.group(0).lower()!r}")
    if match := _RESULT_BODY.search(body):
        signs.append(f"body says {normalize_space(match.group(0)).lower()!r}")
    listed = max(listed_students(join_records(body)), len(inline_students(body)))
    if listed:
        signs.append(f"{listed} student(s) listed with enrollment numbers")
    if company_sender:
        signs.append("forwarded from a company's own address")
    if _RESULT_CARD.search(body):
        signs.append("a Company / Role / CTC card")
    return signs


def decide_offer(subject: str, text: str, *, company_sender: bool = False) -> OfferDecision:
    """Whether a mail announces final placement offers; the reason names the evidence.

    ``company_sender``: the mail (or the mail it forwards) comes from a company's own domain.
    """
    subject = clean_subject(subject)
    whole_body = without_emphasis(strip_private(text[:MAX_DECISION_CHARS]))
    if match := _NOT_FINAL_SUBJECT.search(subject):
        return OfferDecision(False, f"subject marks a non-final notice ({match.group(0).lower()!r})")
    body, set_aside, vetoed = _kept_sections(whole_body)
    if vetoed:
        return OfferDecision(False, vetoed)
    whole = f"{subject}\n{body}"
    amounts = _amounts(subject, body)
    selection = _final_wording(whole) or _selected_title_with_offer(subject, body)
    if not amounts:
        if selection is not None:
            return OfferDecision(False, "announces selections but states no package")
        return OfferDecision(
            False, "no final-selection wording (placed, selected at, offer letters released, PPO)"
        )
    package = f"package ({amounts[0].text or amounts[0].lpa})"
    if set_aside and not max(listed_students(join_records(body)), len(inline_students(body))):
        # the rest of a digest must itself name the students with their enrollment numbers
        return OfferDecision(False, f"no students listed outside the sections set aside; {set_aside[0]}")
    if selection is not None:
        wording = normalize_space(selection.group(0)).lower()
        aside = "".join(f"; {reason}" for reason in set_aside)
        return OfferDecision(
            True, f"final selection ({wording!r}) with a {package}{aside}", body if set_aside else None
        )
    if set_aside:
        # with a section set aside, only final-selection words in the rest make an offer
        return OfferDecision(
            False, f"no final-selection wording outside the sections set aside; {set_aside[0]}"
        )
    signs = _support(subject, body, company_sender)
    if stage := _NOT_FINAL_WITHOUT_SELECTION.search(body):
        said = normalize_space(stage.group(0)).lower()
        return OfferDecision(False, f"no final-selection wording, and the list is of a stage ({said!r})")
    if len(signs) >= SUPPORT_NEEDED:
        return OfferDecision(True, f"result announced: {', '.join(signs)}, with a {package}")
    found = ", ".join(signs) if signs else "no other sign of a result"
    return OfferDecision(
        False, f"no final-selection wording (placed, selected at, offer letters released, PPO); {found}"
    )
