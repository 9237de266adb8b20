"""`make accuracy`: how the rules do on the accuracy corpus, for the tuning part and the set-aside part.

Prints, per part: offer precision and recall, the company named, students found per offer (name and
enrollment number), packages exact to 0.01 LPA per role (both ends of a range), and a confusion table
of notice types for e-mail and for the portal, and the company named on portal notices. Not a test: it measures, it never fails the build.
Run with ``--part tuning`` while changing rules, so the set-aside figures stay unseen until the end.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiit_assets.defs.email.classification import MailClassification, classify_email
from jiit_assets.defs.email.message import EmailDecodeError, decode_email
from jiit_assets.defs.notices.rules import superset_notice_content
from jiit_assets.lib.text import company_key

ROOT = Path(__file__).parent
PARTS = ("tuning", "setaside")


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", name.lower()).split())


def _role_key(role: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", role.lower()).split())


@dataclass
class MailScore:
    true_offers: int = 0
    false_offers: int = 0
    missed_offers: int = 0
    companies_right: int = 0
    students_expected: int = 0
    students_found: int = 0
    students_extra: int = 0
    roles_expected: int = 0
    roles_exact: int = 0
    roles_extra: int = 0  # roles the rules report that the mail does not offer
    types: Counter[tuple[str, str]] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def _outcome(classified: MailClassification) -> str:
    if classified.outcome == "offer":
        return "offer"
    if classified.notice is None:
        return "skipped"
    return str(classified.notice.type)


def _score_offer(
    name: str, expected: dict[str, Any], classified: MailClassification, score: MailScore
) -> None:
    names = expected["names"]
    enrollments = (
        dict(zip(names, expected.get("enrollments", []), strict=False)) if expected.get("enrollments") else {}
    )
    score.students_expected += len(names)
    score.roles_expected += len(expected["roles"])
    offer = classified.offer
    if offer is None:
        score.missed_offers += 1
        score.notes.append(f"missed offer {name}: {classified.reason}")
        return
    score.true_offers += 1
    # A mail announcing several companies' results is one offer to the rules; naming any of them counts.
    companies = expected.get("companies") or [expected["company"]]
    if any(same_company(company, offer.company) for company in companies):
        score.companies_right += 1
    else:
        score.notes.append(f"company {name}: got {offer.company!r}, want {expected['company']!r}")
    found = {_name_key(s.name): s.enrollment_number for s in offer.students}
    for student in names:
        key = _name_key(student)
        if key in found and found[key] == enrollments.get(student, found[key]):
            score.students_found += 1
        else:
            score.notes.append(f"student {name}: {student!r} missing or wrong enrollment")
    extra = [s.name for s in offer.students if _name_key(s.name) not in {_name_key(n) for n in names}]
    if extra:
        score.students_extra += len(extra)
        score.notes.append(f"extra students {name}: {extra}")
    roles = {_role_key(role.role): role for role in offer.roles}
    extra_roles = sorted(set(roles) - {_role_key(r) for r in expected["roles"]})
    if extra_roles:
        score.roles_extra += len(extra_roles)
        score.notes.append(f"extra roles {name}: {extra_roles}")
    for role_name, package in expected["roles"].items():
        role = roles.get(_role_key(role_name))
        high = expected.get("package_max", {}).get(role_name)
        if (
            role is not None
            and role.package is not None
            and abs(role.package - package) <= 0.01
            and (high is None or (role.package_max is not None and abs(role.package_max - high) <= 0.01))
        ):
            score.roles_exact += 1
        else:
            got = {r.role: (r.package, r.package_max) for r in offer.roles}
            score.notes.append(f"package {name}: want {role_name!r}={package} (max {high}); got {got}")


def score_mail(part: str) -> MailScore:
    folder = ROOT / "mail" / part
    expected_all: dict[str, dict[str, Any]] = json.loads((folder / "expected.json").read_text("utf-8"))
    score = MailScore()
    for name, expected in sorted(expected_all.items()):
        try:
            classified = classify_email(decode_email((folder / name).read_bytes()))
        except EmailDecodeError as error:
            score.notes.append(f"undecodable {name}: {error.reason}")
            continue
        outcome = _outcome(classified)
        if expected["kind"] == "placement_offer":
            _score_offer(name, expected, classified, score)
            continue
        if outcome == "offer":
            score.false_offers += 1
            score.notes.append(f"false offer {name}: {classified.reason}")
        want = expected.get("notice_type") or "skipped"
        score.types[(want, outcome)] += 1
        if want != outcome:
            score.notes.append(f"type {name}: want {want}, got {outcome} ({classified.reason})")
    return score


_LEGAL_FORM = frozenset(
    "pvt private ltd limited inc incorporated llp llc corp corporation plc gmbh co".split()
)


def _name_words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w and w not in _LEGAL_FORM]


def _abbreviates(short: list[str], long: list[str]) -> bool:
    """Each word of ``short`` is, in order, the next word of ``long`` or the initials of the next run
    of two or more of its words, and together they use all of ``long``: "TCS" for "Tata Consultancy
    Services", "EY GDS" for "EY Global Delivery Services"."""
    if not short or not long:
        return not short and not long
    word = short[0]
    if word == long[0] and _abbreviates(short[1:], long[1:]):
        return True
    return any(
        word == "".join(w[0] for w in long[:end]) and _abbreviates(short[1:], long[end:])
        for end in range(2, min(len(long), len(word)) + 1)
    )


def same_company(reader: str | None, rules: str | None) -> bool:
    """The reader's and the rules' company are one: same ``company_key`` (no company on both sides
    counts), or one is the other's initialism.

    "X & Company" / "X & Co." leave a dangling "and" once ``company_key`` drops the legal word, so a
    trailing "and" is ignored: "Bain & Company" and "Bain" are one company. The only alias is an
    initialism (``_abbreviates``, either way round): a reader writes "TCS" or "EY GDS" for the names
    the mail spells out. A shorter name that merely starts the longer one ("TCS" and "TCS Digital",
    "Tata" and "Tata Steel") is not the same company.
    """

    def key(name: str | None) -> str:
        words = company_key(name).split()
        return " ".join(words[:-1] if len(words) > 1 and words[-1] == "and" else words)

    if key(reader) == key(rules):
        return True
    if not reader or not rules:
        return False
    one, other = _name_words(reader), _name_words(rules)
    return _abbreviates(one, other) or _abbreviates(other, one)


@dataclass
class PortalScore:
    types: Counter[tuple[str, str]] = field(default_factory=Counter)
    students_expected: int = 0
    students_found: int = 0
    notices: int = 0
    companies_right: int = 0
    notes: list[str] = field(default_factory=list)


def score_portal(part: str) -> PortalScore:
    entries: list[dict[str, Any]] = json.loads((ROOT / "portal" / f"{part}.json").read_text("utf-8"))
    score = PortalScore()
    notes = score.notes
    for entry in entries:
        content = superset_notice_content(entry["notice"], [])
        got = str(content.type)
        score.types[(entry["type"], got)] += 1
        ident = entry["notice"]["identifier"]
        if got != entry["type"]:
            notes.append(f"type {ident}: want {entry['type']}, got {got}")
        score.notices += 1
        if same_company(entry.get("company"), content.company):
            score.companies_right += 1
        else:
            notes.append(f"company {ident}: want {entry.get('company')!r}, got {content.company!r}")
        found = {(_name_key(s.name), s.enrollment_number) for s in content.students}
        for student_name, enrollment in entry["students"]:
            score.students_expected += 1
            if (_name_key(student_name), enrollment) in found:
                score.students_found += 1
            else:
                notes.append(f"student {ident}: {student_name!r} ({enrollment}) missing")
    return score


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator}/{denominator} = {numerator / denominator:.2f}" if denominator else "n/a"


def _confusion(types: Counter[tuple[str, str]]) -> list[str]:
    wanted = sorted({want for want, _ in types})
    columns = sorted({got for _, got in types} | set(wanted))
    width = max(len(c) for c in [*columns, "reader \\ rules"]) + 1
    lines = ["    " + "reader \\ rules".ljust(width) + "".join(c[:12].rjust(13) for c in columns)]
    for want in wanted:
        cells = "".join(str(types.get((want, got), "") or ".").rjust(13) for got in columns)
        lines.append("    " + want.ljust(width) + cells)
    right = sum(count for (want, got), count in types.items() if want == got)
    lines.append(f"    correct: {_ratio(right, sum(types.values()))}")
    return lines


def report(part: str, verbose: bool) -> list[str]:
    mail = score_mail(part)
    portal = score_portal(part)
    predicted = mail.true_offers + mail.false_offers
    lines = [
        f"== {part} ==",
        "E-mail offers",
        f"  precision: {_ratio(mail.true_offers, predicted)}",
        f"  recall:    {_ratio(mail.true_offers, mail.true_offers + mail.missed_offers)}",
        f"  company right (found offers): {_ratio(mail.companies_right, mail.true_offers)}",
        f"  students found, name and enrollment (all expected offers): {_ratio(mail.students_found, mail.students_expected)}"
        f"; extra: {mail.students_extra}",
        f"  packages exact to 0.01 LPA (all expected roles): {_ratio(mail.roles_exact, mail.roles_expected)}"
        f"; extra roles: {mail.roles_extra}",
        "E-mail notice types (offer = taken for an offer, skipped = not for students)",
        *_confusion(mail.types),
        "Portal notice types",
        *_confusion(portal.types),
        f"  portal students found: {_ratio(portal.students_found, portal.students_expected)}",
        f"  portal company right (no stored job; none == none): {_ratio(portal.companies_right, portal.notices)}",
    ]
    if verbose:
        lines.extend(["Details", *(f"  - {note}" for note in mail.notes + portal.notes)])
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--part", choices=PARTS, action="append", help="score only this part (repeatable)")
    parser.add_argument(
        "--details", action="store_true", help="list every miss (use on the tuning part only)"
    )
    args = parser.parse_args(argv)
    for part in args.part or PARTS:
        print("\n".join(report(part, args.details and part == "tuning")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
