"""Money figures in placement mail, in lakh rupees per annum (LPA).

A package is read the way the placement office means it: CTC in lakhs, crores or rupees; a stipend
per month (annualised × 12 so every figure compares in LPA); a range ("15-18 LPA") kept as its lowest
and highest figure with the words that explain it. A bracketed component list explains a total and
is not a package of its own; a breakdown's figures count as one only where the mail says total
("Total CTC: …", "… = 12 LPA"), and a stipend's total over the internship ("₹2,40,000 in total for
six months") is per month × 12 (figures in rupees are read by ``rupees``). Scanned text is capped,
and no pattern nests quantifiers over unbounded text, so hostile input cannot make a match slow.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from jiit_assets.defs.email.rupees import (
    MONTHLY_CONTEXT,
    NUM,
    PER_MONTH_AFTER,
    add_grouped,
    add_plain_rupees,
    add_rupee_ranges,
    add_rupees,
    number,
)

MAX_SCAN_CHARS = 20_000

_LAKH_UNIT = r"(?:LPA|L\.P\.A\.?|lakhs?|lacs?|lakh|lac|L)\b"
_BETWEEN_LAKH = re.compile(
    rf"(?i)\bbetween\s{{1,3}}(?:Rs\.?|INR|₹)?\s{{0,2}}(?P<a>{NUM})\s{{0,3}}(?:{_LAKH_UNIT})?\s{{0,3}}and\s{{1,3}}"
    rf"(?:Rs\.?|INR|₹)?\s{{0,2}}(?P<b>{NUM})\s{{0,3}}{_LAKH_UNIT}"
)
_RANGE_LAKH = re.compile(
    rf"(?i)(?<![\d.,])(?P<a>{NUM})\s{{0,3}}(?:{_LAKH_UNIT})?\s{{0,3}}(?:-|–|—|to)\s{{0,3}}(?P<b>{NUM})\s{{0,3}}{_LAKH_UNIT}"
)
_LAKH = re.compile(rf"(?i)(?<![\d.,])(?P<a>{NUM})\s{{0,3}}{_LAKH_UNIT}")
_CRORE = re.compile(r"(?i)(?<![\d.,])(?P<a>\d{1,4}(?:\.\d{1,4})?)\s{0,3}(?:crores?|cr)\b")
_THOUSANDS = re.compile(
    r"(?i)(?<![\d.,])(?P<a>\d{1,4}(?:\.\d{1,2})?)\s{0,3}[kK]\b(?P<per>\s{0,3}(?:per\s+month|/\s{0,3}(?:month|mo)\b|pm\b|monthly|a\s+month))?"
)
# A bracketed component list ("{5.5 fixed + 1.65 variable}", "(includes 1.5 L joining bonus)")
# explains a total; its figures are not packages of their own. Brackets hold at most 300 characters.
_BREAKDOWN = re.compile(
    r"[{(\[](?:[^{}()\[\]]{0,300}\+[^{}()\[\]]{0,300}|\s*(?i:incl\.?|includ\w*|comprising|consisting|of\s+which)\b[^{}()\[\]]{0,300})[})\]]"
)
_COMPONENT_WORDS = re.compile(
    r"(?i)\b(?:fixed|variable|base|basic|bonus|joining|incentives?|components?|retention|esops?|relocation|"
    r"allowances?|insurance|gratuity|pf|hra|performance)\b"
)
# A figure just before the bracket: the bracket explains it.
_FIGURE_BEFORE = re.compile(
    r"(?i)\d[\d,.]{0,12}\s{0,3}(?:LPA|lakhs?|lacs?|L|cr|crores?|/-|p\.?a\.?|k)?\W{0,12}$"
)


def _drop_breakdown(match: re.Match[str]) -> str:
    """A bracket that explains a figure (after it, or naming components) goes; a bracket that states
    the offer itself ("(SDE Intern, INR 50,000 pm + PPO 18 LPA)") stays."""
    before = match.string[max(0, match.start() - 30) : match.start()]
    if _FIGURE_BEFORE.search(before) or _COMPONENT_WORDS.search(match.group(0)):
        return " "
    return match.group(0)


# The total row of a compensation breakdown ("Total CTC | 17.50" under an "Amount (LPA)" header):
# where the mail says total, that figure is the package and the components are not.
_TOTAL_LINE = re.compile(
    r"(?im)^[ \t]{0,10}(?:\d{1,2}[ \t]{0,3}[|.)][ \t]{0,3})?(?:total|gross)(?:[ \t]{1,3}[\w()\-]{1,20}){0,4}[ \t]{0,3}[|:\-–][ \t]{0,3}"
    rf"(?P<cur>Rs\.?|INR|₹)?[ \t]{{0,3}}(?P<a>{NUM})[ \t]{{0,3}}(?P<unit>LPA|lakhs?|L)?"
    r"[ \t]{0,3}(?:/-)?[ \t]{0,3}(?:p\.?\s?a\.?|per\s+annum|\([\w .-]{1,20}\))?[ \t.]*$"
)
_LAKH_CONTEXT = re.compile(r"(?i)\b(?:LPA|lakhs?|lacs?)\b")
# A label right before a bare "12L" makes it a lakh figure ("CTC: 12L").
_PACKAGE_LABEL_BEFORE = re.compile(r"(?i)\b(?:ctc|package|salary|compensation|pay)\W{0,5}$")


# A sentence (decimals and wrapped lines kept) and the marks of a pre-placement offer that may or may
# not come: "A pre-placement offer with a CTC of 45 LPA is possible after the internship". Such a
# figure is not what the students were offered now (their stipend is).
_SENTENCE = re.compile(r"(?:[^.\n]|\.\d|\n(?!\n)){1,400}")
_PPO = re.compile(r"(?i)\b(?:pre[- ]placement\s+offers?|PPOs?|conversion)\b")
_MAYBE = re.compile(
    r"(?i)\b(?:may|might|could|possible|possibility|subject\s+to|depending|depends|opportunity|if)\b"
)


# "PPO 18 LPA", "pre-placement offer of CTC 18 LPA", "18 LPA on conversion" is said just before.
_PPO_BEFORE = re.compile(r"(?i)\b(?:pre[- ]placement\s+offers?|PPOs?|on\s+conversion)\b[^.;\n]{0,30}$")


# A part of the pay that is not the package: "joining bonus of ₹2,00,000", "2 LPA as a signing bonus",
# "Variable: 2 LPA", "ESOPs worth 10 L".
_EXTRA_WORDS = (
    r"(?:(?:joining|signing|sign[- ]on|relocation|retention|one[- ]time|performance|annual)?[ \t]{0,3}"
    r"(?:bonus|incentives?|variable(?:\s+pay)?|esops?|stocks?|rsus?)|relocation(?:\s+(?:allowance|assistance|support))?|"
    r"allowances?|reimbursements?|insurance|gratuity)"
)
_EXTRA_BEFORE = re.compile(
    rf"(?i)\b{_EXTRA_WORDS}\s{{0,3}}(?:of|worth|:|-|–|\|)?\s{{0,3}}(?:Rs\.?|INR|₹)?\s{{0,2}}$"
)
# (The words after a figure belong to it only on its own line: "Fixed: 10 LPA\nVariable: 2 LPA".)
_EXTRA_AFTER = re.compile(
    rf"(?i)^[ \t]{{0,3}}(?:p\.?a\.?[ \t]{{0,3}})?(?:as\s+)?(?:an?\s+|in\s+)?(?:one[- ]time\s+)?{_EXTRA_WORDS}\b"
)


# The figure the mail calls the CTC ("CTC: 12.5 LPA", "a CTC of 12.5 LPA", "12.5 LPA (CTC)") beats the
# base, fixed or in-hand figures beside it ("12.5 LPA (CTC) / 9 LPA (base)").
_CTC_BEFORE = re.compile(
    r"(?i)\b(?:ctc|cost\s+to\s+(?:the\s+)?company)\s{0,3}(?:of|is|will\s+be|:|-|–|=)?\s{0,3}(?:Rs\.?|INR|₹)?\s{0,2}$"
)
_CTC_AFTER = re.compile(r"(?i)^[ \t]{0,3}(?:p\.?a\.?[ \t]{0,3})?\(?\s{0,2}ctc\b")


def _without_possible_ppo(text: str) -> str:
    def keep(match: re.Match[str]) -> str:
        sentence = match.group(0)
        return " " if _PPO.search(sentence) and _MAYBE.search(sentence) else sentence

    return _SENTENCE.sub(keep, text)


@dataclass(frozen=True)
class Amount:
    lpa: float
    monthly: bool  # a stipend or monthly figure (already converted × 12 to LPA)
    high: float | None = None  # the top of a range ("15-18 LPA"), in LPA
    text: str = ""  # the figure as the mail wrote it
    total: bool = False  # the total row of a breakdown
    ppo: bool = False  # the CTC of a pre-placement offer named beside it ("+ PPO 18 LPA")
    extra: bool = False  # a bonus or variable part named beside it ("+ 2 LPA joining bonus")
    ctc: bool = False  # labelled as the CTC ("CTC: 12.5 LPA", "12.5 LPA (CTC)")


# A total said in words inside a sentence: "a total CTC of 15.5 LPA", "10 LPA fixed + 2 LPA variable
# = 12 LPA" (a sum, so the figure after "=" is its total).
_TOTAL_BEFORE = re.compile(
    r"(?i)(?:\btotal\s+(?:ctc|compensation|package|cost\s+to\s+company)\s{0,3}(?:of|is|will\s+be|:|-|–|=)?|"
    r"\+[^=\n]{1,60}=)\s{0,3}(?:Rs\.?|INR|₹)?\s{0,2}$"
)


def _flagged(text: str, start: int, end: int, amount: Amount) -> Amount:
    """The figure with what the words beside it say it is: a PPO's CTC, a bonus, the CTC, a total."""
    before, after = text[max(0, start - 80) : start], text[end : end + 40]
    return replace(
        amount,
        ppo=bool(_PPO_BEFORE.search(before[-40:])),
        extra=bool(_EXTRA_BEFORE.search(before[-40:]) or _EXTRA_AFTER.match(after)),
        ctc=bool(_CTC_BEFORE.search(before[-30:]) or _CTC_AFTER.match(after[:12])),
        total=bool(_TOTAL_BEFORE.search(before)),
    )


def find_amounts(text: str) -> list[Amount]:
    """Every money figure in LPA; component breakdowns in braces ("{5.5 fixed + …}") are ignored."""
    text = _BREAKDOWN.sub(_drop_breakdown, text[:MAX_SCAN_CHARS])
    found: list[tuple[int, int, Amount]] = []

    def add(match: re.Match[str], lpa: float, monthly: bool, high: float | None = None) -> None:
        start, end = match.start(), match.end()
        # A figure too long for a float reads as infinity: not a package (nor valid JSON or a footer).
        if 0 < lpa < math.inf and not any(start < e and s < end for s, e, _ in found):
            high = high if high is not None and high < math.inf else None
            amount = _flagged(text, start, end, Amount(round(lpa, 2), monthly, high, match.group(0).strip()))
            found.append((start, end, amount))

    for match in _BETWEEN_LAKH.finditer(text):
        low, high = sorted((number(match.group("a")), number(match.group("b"))))
        add(match, low, False, round(high, 2) if high > low else None)
    for match in _RANGE_LAKH.finditer(text):
        low, high = sorted((number(match.group("a")), number(match.group("b"))))
        add(match, low, False, round(high, 2) if high > low else None)
    add_rupee_ranges(text, add)
    for match in _CRORE.finditer(text):
        add(match, number(match.group("a")) * 100, False)
    for match in _LAKH.finditer(text):
        unit_tail = text[match.end() : match.end() + 20].lower()
        labelled = _PACKAGE_LABEL_BEFORE.search(text[max(0, match.start() - 20) : match.start()])
        if (
            match.group(0)[-1:] in "Ll"
            and not labelled
            and not re.match(r"[ \t]*(?:\n|$)|\s*(?:per|p\.?a|ctc|fixed|\)|,|\.|$)", unit_tail)
        ):
            continue  # a bare "L" is a lakh only where it reads like one ("12 L per annum", "12L CTC")
        if PER_MONTH_AFTER.match(text[match.end() : match.end() + 20]) and match.group(0)[-1:] not in "Aa.":
            add(match, number(match.group("a")) * 12, True)  # "1 lakh per month" (not "LPA")
        else:
            add(match, number(match.group("a")), False)
    add_rupees(text, add)
    for match in _THOUSANDS.finditer(text):
        context = text[max(0, match.start() - 40) : match.end() + 30]
        if match.group("per") or MONTHLY_CONTEXT.search(context):
            add(match, number(match.group("a")) * 1000 * 12 / 100_000, True)
    add_grouped(text, add)
    add_plain_rupees(text, add)
    for start, end, amount in _total_rows(text):
        found = [item for item in found if not (start <= item[0] < end)]
        found.append((start, end, amount))
    found.sort(key=lambda item: item[0])
    return [amount for _, _, amount in found]


def _total_rows(text: str) -> list[tuple[int, int, Amount]]:
    """The total rows of compensation breakdowns: "Total CTC | 17.50" under an "Amount (LPA)" header,
    "Total CTC (first year) | 37,00,000" or "Total: Rs. 7,50,000/-" in rupees."""
    rows: list[tuple[int, int, Amount]] = []
    for match in _TOTAL_LINE.finditer(text):
        value = number(match.group("a"))
        if match.group("cur") or "," in match.group("a") or value >= 10_000:
            lpa = value / 100_000 if value >= 10_000 else 0.0  # rupees; "Total: ₹312.40" is no package
        elif match.group("unit") or _LAKH_CONTEXT.search(text[max(0, match.start() - 400) : match.start()]):
            lpa = value
        else:
            continue
        if 0 < lpa < math.inf:
            text_shown = f"{match.group('a')} LPA (total)" if lpa == value else f"{match.group('a')} (total)"
            rows.append((match.start(), match.end(), Amount(round(lpa, 2), False, None, text_shown, True)))
    return rows


@dataclass(frozen=True)
class Package:
    """One role's package: the lowest figure (what ``package_lpa`` shows), the highest of a range,
    and the mail's own words when a single number would hide something (a range, a stipend)."""

    lpa: float
    high: float | None = None
    text: str | None = None


def package_of(text: str) -> Package | None:
    """The package of one role: the lowest annual figure (final CTC over training stipends);
    for internship-only offers the monthly stipend × 12. A range keeps its top and its words.
    A CTC promised only as a possible PPO counts when the text states no other figure."""
    amounts = find_amounts(_without_possible_ppo(text[:MAX_SCAN_CHARS])) or find_amounts(text)
    amounts = [a for a in amounts if a.total] or [a for a in amounts if not a.extra] or amounts
    # Under one lakh a year is no CTC (a fee, an allowance, a prize) when the mail states another figure.
    amounts = [a for a in amounts if a.monthly or a.lpa >= 1.0] or amounts
    # An internship with a stipend now and a PPO later: the stipend is what was offered; the PPO's
    # CTC stays in the words shown to students.
    stipends = [a for a in amounts if a.monthly]
    ppo = [a for a in amounts if a.ppo and not a.monthly]
    if stipends and ppo:
        low = min(stipends, key=lambda a: a.lpa)
        return Package(low.lpa, None, f"{low.text}; PPO {ppo[0].text}")
    amounts = [a for a in amounts if a.ctc and not a.monthly] or amounts
    annual = [a for a in amounts if not a.monthly]
    pool = annual or stipends
    if not pool:
        return None
    lowest = min(pool, key=lambda a: a.lpa)
    if lowest.high is not None:
        return Package(lowest.lpa, lowest.high, lowest.text)
    if lowest.monthly:
        return Package(lowest.lpa, None, lowest.text)
    return Package(lowest.lpa)


def package_from_text(text: str) -> float | None:
    """The lowest figure of ``package_of`` (LPA), or None when the text states no package."""
    package = package_of(text)
    return package.lpa if package else None


def has_amount(text: str) -> bool:
    return bool(find_amounts(text))
