"""Figures in rupees in placement mail, each handed to ``packages.find_amounts`` in LPA: with a
currency sign ("INR 7,00,000 p.a.", "₹45,000", "Rs. 50k pm"), ranges ("INR 12,00,000 – 15,00,000"),
Indian grouping without a sign ("9,50,000"), and plain figures where the words around them say money
("Stipend: 50,000 per month", "CTC: 650000 p.a.").

A stipend is monthly: a figure labelled a stipend with no period is per month, and a figure stated as
the total over the internship ("a total of Rs. 2,10,000 for the internship", "INR 2,40,000 for 6
months") is that many months' pay, so per month × 12 is its annual figure; without a stated duration
it is left unread. A figure in another currency (USD, $, €, £) is not a package in rupees. Every
pattern is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# add(match, lpa, monthly, high=None): ``find_amounts`` keeps the figure unless an earlier one overlaps.
Adder = Callable[..., None]

NUM = r"(?:\d{1,3}(?:,\d{2,3}){1,4}|\d{1,9})(?:\.\d{1,4})?"
MONTHLY_CONTEXT = re.compile(r"(?i)\b(?:stipend|per\s+month|monthly|/\s*month|p\.?m\.?)\b")
_RUPEES = re.compile(
    rf"(?i)(?:Rs\.?|INR|₹)\s{{0,3}}(?P<a>{NUM})(?:\s{{0,3}}/-)?(?P<k>\s{{0,3}}[kK]\b)?"
    r"(?P<per>\s{0,3}(?:per\s+(?:annum|year|month)|p\.?\s?a\.?\b|/\s{0,3}(?:month|mo|annum|year)\b|pm\b|monthly|annually|a\s+month))?"
)
_INDIAN_GROUPED = re.compile(
    r"(?<![\d.,])(?P<a>\d{1,2},\d{2},\d{3})(?![\d,])(?P<per>\s{0,3}(?:per\s+(?:annum|month)|p\.?a\.?|/-))?"
)
_RUPEE_RANGE = re.compile(
    rf"(?i)(?:Rs\.?|INR|₹)\s{{0,3}}(?P<a>{NUM})(?:\s{{0,3}}/-)?\s{{0,3}}(?:-|–|—|to)\s{{0,3}}(?:Rs\.?|INR|₹)?\s{{0,3}}"
    rf"(?P<b>{NUM})(?:\s{{0,3}}/-)?"
)
# A figure in rupees with no currency sign, read only where the words around it say money: "Stipend:
# 50,000 per month", "35000/- per month", "CTC: 650000 p.a.", "45,000 INR".
_PLAIN_RUPEES = re.compile(
    r"(?<![\d.,/])(?P<a>\d{1,3}(?:,\d{3}){1,2}|\d{4,8})(?![\d,]|\.\d)(?P<tail>\s{0,2}/-)?"
)
_MONEY_BEFORE = re.compile(r"(?i)\b(?:stipend|ctc|package|salary|compensation|pay)\b[^\d\n]{0,12}$")
_MONEY_AFTER = re.compile(
    r"(?i)^\s{0,3}(?:/-|INR\b|rupees\b|per\s+(?:month|annum)|p\.?\s?a\.?(?!\w)|/\s{0,2}month|pm\b)"
)
# "Stipend: ₹45,000", "monthly stipend of Rs. 30,000": the word says the figure is per month.
_STIPEND_BEFORE = re.compile(
    r"(?i)\b(?:stipend|monthly|per\s+month)\b(?![^\n]{0,25}\b(?:ctc|package|lpa|p\.?a\.?|annum|total)\b)"
    r"[^\d\n]{0,25}$"
)
# A figure in another currency: "USD 120,000", "$ 95,000", "€60,000".
_FOREIGN_BEFORE = re.compile(r"(?i)(?:\b(?:USD|US\$|EUR|GBP|SGD|AED|CAD|AUD)|[$€£])\s{0,2}$")

# A figure paid over the whole internship ("a total of Rs. 2,10,000 for the internship period",
# "₹2,40,000 in total for the six months", "INR 2,40,000 for 6 months", "Total stipend for the
# internship: ₹1,50,000 (for the complete 6 months)"). A figure already per month ("40,000/month for
# 6 months") is no total.
_TOTAL_BEFORE = re.compile(
    r"(?i)\btotal(?:\s+(?:stipend|amount|payout))?"
    r"(?:\s+for\s+the\s+(?:entire\s+|whole\s+|complete\s+)?(?:internship|duration|period|programme|program))?"
    r"\s{0,3}(?:of|:|-|is)?\s{0,3}(?:Rs\.?|INR|₹)?\s{0,2}$"
)
_MONTH_COUNT = r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ]?months?\b"
_TOTAL_AFTER = re.compile(
    r"(?i)^\s{0,3}(?:/-\s{0,3})?(?:\(?\s{0,2}(?:in\s+)?total\b|\(?\s{0,2}(?:for|over)\s+(?:the\s+)?"
    r"(?:entire\s+|whole\s+|full\s+|complete\s+)?"
    rf"(?:(?P<span>internship|duration|period|tenure|programme|program)|{_MONTH_COUNT}))"
)
# "₹40,000 for the internship period" says no total: under a lakh it is the month's stipend.
_LEAST_TOTAL = 1_00_000
PER_MONTH_AFTER = re.compile(
    r"(?i)^\s{0,3}(?:/-\s{0,3})?(?:per\s+month|/\s{0,2}(?:month|mo)\b|p\.?m\.?(?!\w)|monthly|a\s+month)"
)
_MONTH_WORDS = {
    word: number
    for number, word in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"), 1
    )
}


def number(text: str) -> float:
    return float(text.replace(",", ""))


def _months(word: str) -> int:
    return int(word) if word.isdigit() else _MONTH_WORDS[word.lower()]


def total_months(text: str, start: int, end: int, rupees: float) -> int | None:
    """For a figure that is a total over the internship: the months it covers (from the words after
    it, else the one duration the text states), 0 when no duration is stated; None for any other figure."""
    before, after = text[max(0, start - 40) : start], text[end : end + 80]
    if PER_MONTH_AFTER.match(after):
        return None
    total_after = _TOTAL_AFTER.match(after)
    if total_after and total_after.group("span") and rupees < _LEAST_TOTAL:
        total_after = None
    if not (_TOTAL_BEFORE.search(before) or total_after):
        return None
    near = re.search(_MONTH_COUNT, after[:60], re.IGNORECASE)
    if near:
        return _months(near.group("n"))
    stated = {_months(m.group("n")) for m in re.finditer(_MONTH_COUNT, text, re.IGNORECASE)}
    stated.discard(0)
    return stated.pop() if len(stated) == 1 else 0


def over_months(match: re.Match[str], rupees: float, add: Adder) -> bool:
    """Whether a figure in rupees is a total over the internship; added (per month × 12) when the
    mail says how many months it covers."""
    months = total_months(match.string, match.start(), match.end(), rupees)
    if months is None:
        return False
    if months:
        add(match, rupees / months * 12 / 100_000, True)
    return True


def _foreign(text: str, start: int) -> bool:
    return bool(_FOREIGN_BEFORE.search(text[max(0, start - 8) : start]))


def add_rupees(text: str, add: Adder) -> None:
    """Figures with a currency sign; a stipend's figure without a period is per month."""
    for match in _RUPEES.finditer(text):
        tail = text[match.end() : match.end() + 60]
        value = number(match.group("a")) * (1000 if match.group("k") else 1)
        if not match.group("per") and over_months(match, value, add):
            continue
        per = (match.group("per") or "").lower()
        monthly = bool(re.search(r"month|/mo|pm", per)) or (
            not per
            and (
                bool(MONTHLY_CONTEXT.search(tail[:25]))
                or (
                    value < 10_00_000
                    and bool(_STIPEND_BEFORE.search(text[max(0, match.start() - 60) : match.start()]))
                )
            )
        )
        if monthly:
            add(match, value * 12 / 100_000, True)
        elif value >= 10_000:
            add(match, value / 100_000, False)


def add_grouped(text: str, add: Adder) -> None:
    """ "9,50,000" without a sign: Indian grouping says rupees."""
    for match in _INDIAN_GROUPED.finditer(text):
        value = number(match.group("a"))
        if _foreign(text, match.start()) or over_months(match, value, add):
            continue
        context = text[max(0, match.start() - 40) : match.end() + 25]
        monthly = bool(MONTHLY_CONTEXT.search(context))
        add(match, value * 12 / 100_000 if monthly else value / 100_000, monthly)


def add_rupee_ranges(text: str, add: Adder) -> None:
    """ "INR 12,00,000 – 15,00,000 p.a.": both ends in LPA; a monthly range is annualised."""
    for match in _RUPEE_RANGE.finditer(text):
        low, high = sorted((number(match.group("a")), number(match.group("b"))))
        if low < 10_000 or high <= low:
            continue
        monthly = bool(MONTHLY_CONTEXT.search(text[match.end() : match.end() + 25]))
        factor = 12 / 100_000 if monthly else 1 / 100_000
        add(match, low * factor, monthly, round(high * factor, 2))


def add_plain_rupees(text: str, add: Adder) -> None:
    """Figures without a sign, where the words around them say money."""
    for match in _PLAIN_RUPEES.finditer(text):
        value = number(match.group("a"))
        after = text[match.end() : match.end() + 20]
        before = text[max(0, match.start() - 30) : match.start()]
        if value < 5_000 or not (
            match.group("tail") or _MONEY_AFTER.match(after) or _MONEY_BEFORE.search(before)
        ):
            continue
        if _foreign(text, match.start()) or over_months(match, value, add):
            continue
        monthly = bool(MONTHLY_CONTEXT.search(before[-20:] + after)) and value < 10_00_000
        add(match, value * 12 / 100_000 if monthly else value / 100_000, monthly)
