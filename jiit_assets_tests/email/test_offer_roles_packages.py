"""Round-5 role and package rules of issue 15, each on a made-up mail of its own: a role named in a
sentence with a word before "role of", a package label with a qualifier ("Annual CTC"), a role line
that carries its package ("Profile: Ninja - CTC INR 3,36,000 p.a."), role names with a dash inside
them, a compensation breakdown whose rows are parts of the pay, a stipend stated as a total over N
months, and the other ways offices write a role and its figure."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from jiit_assets.defs.email.classification import MailClassification, classify_email
from jiit_assets.defs.email.message import decode_email
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets.defs.email.packages import package_of


def _classify(subject: str, body: str, *, html: bool = False) -> MailClassification:
    message = EmailMessage()
    message["From"] = "T&P Cell <tnp@jiit.ac.in>"
    message["To"] = "students@jiit.ac.in"
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0530"
    message["Message-ID"] = f"<{abs(hash(subject + body))}@example.org>"
    message.set_content(body, subtype="html" if html else "plain")
    return classify_email(decode_email(bytes(message)))


_TWO = "\n\n1. Riya Sen (22103001)\n2. Aman Roy (22103002)\n\n"
_HTML_TABLE_ROWS = (
    "<tr><td>1</td><td>Riya Sen</td><td>22103001</td><td>{a}</td></tr>"
    "<tr><td>2</td><td>Aman Roy</td><td>22103002</td><td>{b}</td></tr>"
)

# (subject, body, roles -> (lowest LPA, highest LPA or None))
LAYOUTS: list[tuple[str, str, dict[str, tuple[float, float | None]]]] = [
    (  # a word between "the" and "role of"; the figure in a later sentence
        "Pre-placement offers - Kestrel Labs",
        "Kestrel Labs is pleased to share that the following interns have been extended a Pre-Placement"
        " Offer for the full-time role of Member of Technical Staff:" + _TWO + "The annual CTC for the role"
        " is INR 38,20,000.\n\nRegards,\nKestrel Labs",
        {"Member of Technical Staff": (38.2, None)},
    ),
    (  # a package label with a qualifier, below the role's label and a plain-text list
        "Selection of BT students - Genzyme Biotech",
        "Happy to share that two students have been selected by Genzyme Biotech." + _TWO + "Designation:"
        " Research Associate\nLocation: Bengaluru\nAnnual CTC: Rs 5.2 lakhs\n\nT&P Cell",
        {"Research Associate": (5.2, None)},
    ),
    (  # each role's label line carries its package; a list under each
        "Final selects - Orbit Consulting",
        "Please find the final list of candidates selected by Orbit Consulting.\n\nProfile: Orbit Prime -"
        " CTC INR 7,00,000 p.a.\n\n1. Riya Sen - 22103001\n\nProfile: Orbit Core - CTC INR 3,36,000 p.a."
        "\n\n1. Aman Roy - 22103002\n\nRegards",
        {"Orbit Prime": (7.0, None), "Orbit Core": (3.36, None)},
    ),
    (  # role names with a dash inside them, and a table naming each student's profile
        "Final result - Halcyon Advisory",
        "<p>Happy to inform that the following students have been selected by <b>Halcyon Advisory</b>.</p>"
        "<p><b>Profiles and CTC:</b></p><ul><li>Analyst – Technology: INR 7,60,000 per annum</li>"
        "<li>Analyst – Risk Advisory: INR 6,50,000 per annum</li></ul><table border=1><tr><td>S.No.</td>"
        "<td>Name</td><td>Enrollment No.</td><td>Profile</td></tr>"
        + _HTML_TABLE_ROWS.format(a="Analyst – Technology", b="Analyst – Risk Advisory")
        + "</table><p>Congratulations!</p>",
        {"Analyst – Technology": (7.6, None), "Analyst – Risk Advisory": (6.5, None)},
    ),
    (  # a breakdown: the parts of the pay are not roles, the total row is the package
        "Offers - Veritas Semiconductors",
        "The following students have been selected by Veritas Semiconductors for the role of Design Engineer."
        + _TWO
        + "Compensation (per annum):\n\nBase salary | INR 14,00,000\nPerformance bonus | INR 1,50,000\n"
        "Total CTC | INR 15,50,000\nOne-time joining bonus | INR 1,00,000 (not part of CTC)\n\nRegards",
        {"Design Engineer": (15.5, None)},
    ),
    (  # a stipend stated as its total over the internship, the duration on a line of its own
        "Internship selections - Quillbyte",
        "Congratulations to Riya Sen (22103001) and Aman Roy (22103002), who have been selected for the"
        " Software Development Intern role at Quillbyte.\n\nDuration: 6 months\nStipend: a total of Rs."
        " 2,10,000 for the internship period\n\nT&P Cell",
        {"Software Development Intern": (4.2, None)},
    ),
    (  # role and package in one line with "@"
        "Placement results - Lumen Pay",
        "The following students have been selected by Lumen Pay:\n\nSDE-1 @ 18 LPA"
        + _TWO
        + "Congratulations!",
        {"SDE-1": (18.0, None)},
    ),
    (  # "Role: X | CTC: Y" on one line
        "Offers from Tessera Cloud",
        "The following students have been selected by Tessera Cloud.\n\nRole: Backend Engineer | CTC: 14"
        " LPA" + _TWO + "Congratulations!",
        {"Backend Engineer": (14.0, None)},
    ),
    (  # per-student packages in a table column: each role its own figure
        "Placement result - Ferrite Systems",
        "<p>The following students have been selected by Ferrite Systems:</p><table border=1><tr>"
        "<td>Name</td><td>Enrollment No.</td><td>Role</td><td>CTC</td></tr><tr><td>Riya Sen</td>"
        "<td>22103001</td><td>Firmware Engineer</td><td>Rs. 9,00,000</td></tr><tr><td>Aman Roy</td>"
        "<td>22103002</td><td>Test Engineer</td><td>Rs. 6,00,000</td></tr></table>",
        {"Firmware Engineer": (9.0, None), "Test Engineer": (6.0, None)},
    ),
    (  # lakhs per annum in words
        "Selections - Brightwell Finance",
        "The following students have been selected by Brightwell Finance as Credit Analyst with a package of"
        " Rs. 6.5 lakhs per annum:" + _TWO + "Congratulations!",
        {"Credit Analyst": (6.5, None)},
    ),
    (  # rupees with "/-" and "CTC" after the figure
        "Offers - Nimbus Retail",
        "The following students have been selected by Nimbus Retail for the role of Business Analyst"
        " (₹9,00,000/- CTC):" + _TWO + "Regards",
        {"Business Analyst": (9.0, None)},
    ),
    (  # fixed + variable, and the mail says what the total CTC is
        "Offers - Corvid Analytics",
        "The following students have been selected by Corvid Analytics as Data Analyst." + _TWO + "Fixed: 10"
        " LPA\nVariable: 2 LPA\nTotal CTC: 12 LPA\n",
        {"Data Analyst": (12.0, None)},
    ),
    (  # fixed + variable without a total: the fixed figure
        "Offers - Sparrow Logistics",
        "The following students have been selected by Sparrow Logistics as Operations Analyst with a fixed"
        " pay of 10 LPA and a variable pay of 2 LPA." + _TWO,
        {"Operations Analyst": (10.0, None)},
    ),
    (  # a monthly stipend in thousands
        "Internship offers - Pebble Apps",
        "The following students have been selected by Pebble Apps as Android Developer Intern, stipend 35k"
        " pm." + _TWO,
        {"Android Developer Intern": (4.2, None)},
    ),
    (  # a monthly figure followed by the duration: still a monthly figure
        "Internship offers - Cobalt Robotics",
        "The following students have been selected by Cobalt Robotics as Robotics Intern (INR 40,000/month"
        " for 6 months)." + _TWO,
        {"Robotics Intern": (4.8, None)},
    ),
    (  # a range
        "Offers - Meridian Health",
        "The following students have been selected by Meridian Health as Software Engineer. CTC: 15-18 LPA"
        " depending on location." + _TWO,
        {"Software Engineer": (15.0, 18.0)},
    ),
    (  # a "Profiles offered" heading over a list of roles with packages
        "Campus drive result - Arcturus Tech",
        "The following students have been selected by Arcturus Tech.\n\nProfiles offered:\n1. Software"
        " Engineer – 12 LPA\n2. Data Analyst – 8 LPA\n\nName | Enrollment No. | Profile\nRiya Sen |"
        " 22103001 | Software Engineer\nAman Roy | 22103002 | Data Analyst\n\nCongratulations!",
        {"Software Engineer": (12.0, None), "Data Analyst": (8.0, None)},
    ),
]


@pytest.mark.parametrize(("subject", "body", "roles"), LAYOUTS)
def test_roles_and_packages_in_office_layouts(
    subject: str, body: str, roles: dict[str, tuple[float, float | None]]
) -> None:
    classified = _classify(subject, body, html=body.startswith("<"))
    offer = classified.offer
    assert offer is not None, classified.reason
    assert {r.role: (r.package, r.package_max) for r in offer.roles} == roles, classified.reason


@pytest.mark.parametrize(
    ("text", "lpa"),
    [
        ("Stipend: a total of Rs. 2,10,000 for the internship period. Duration: 6 months", 4.2),
        ("Stipend: INR 2,40,000 for 6 months", 4.8),
        ("Stipend: ₹1,50,000 in total for the three-month internship", 6.0),
        ("Stipend: INR 40,000/month for 6 months", 4.8),
        ("Stipend: 35k pm", 4.2),
        ("Rs. 6.5 lakhs per annum", 6.5),
        ("₹9,00,000/- CTC", 9.0),
        ("Stipend: ₹45,000", 5.4),  # a stipend without a period is per month
        ("Monthly stipend of Rs. 30,000; PPO CTC Rs. 18,00,000 on conversion", 3.6),
        ("Stipend: 1 lakh per month", 12.0),
        ("CTC: 10 LPA (fixed) + 2 LPA (variable) = 12 LPA", 12.0),  # the sum the mail states
        ("offered with a total CTC of 15.5 LPA (base 14 LPA)", 15.5),
        ("Stipend: 40k x 6 = 2,40,000", 4.8),  # a product is not a breakdown's total
        ("Stipend: ₹40,000 for the internship period (6 months)", 4.8),  # under a lakh: per month
        ("Stipend: INR 60,000 for 2 months", 3.6),
        ("Monthly salary: ₹50,000", 6.0),
        ("Stipend: NA. CTC: ₹6,00,000", 6.0),
    ],
)
def test_stipend_totals_and_the_ways_figures_are_written(text: str, lpa: float) -> None:
    found = package_of(text)
    assert found is not None and found.lpa == lpa


def test_a_total_over_an_unknown_duration_is_no_annual_figure() -> None:
    assert package_of("Stipend: a total of Rs. 2,10,000 for the internship") is None


def test_ranges_said_in_words_and_figures_in_other_currencies() -> None:
    between = package_of("CTC between 12 and 15 LPA depending on the location")
    assert between is not None and (between.lpa, between.high) == (12.0, 15.0)
    assert package_of("Base pay USD 120,000 per annum") is None
    assert package_of("€60,000 p.a.") is None


_T = _TWO
_SEL = "The following students have been selected by Acme"
# (subject, body, roles -> LPA, or (lowest, highest) for a range)
MORE_LAYOUTS: list[tuple[str, str, dict[str, float | tuple[float, float]]]] = [
    (
        "Results - Acme",
        _SEL + ".\n\nProfiles offered:\n- Software Engineer\n- QA Engineer\n\nCTC: 8 LPA for both profiles"
        "\n\nName | Enrollment No. | Profile\nRiya Sen | 22103001 | Software Engineer\nAman Roy | "
        "22103002 | QA Engineer\n",
        {"Software Engineer": 8.0, "QA Engineer": 8.0},
    ),
    (
        "Results - Acme",
        _SEL + " for the roles of Software Engineer (12 LPA) and Data Analyst (8 LPA)." + _T,
        {"Software Engineer": 12.0, "Data Analyst": 8.0},
    ),
    (
        "Results - Acme",
        _SEL + "." + _T + "Role: Graduate Engineer Trainee (GET)\nCTC: 4.5 LPA\n",
        {"Graduate Engineer Trainee (GET)": 4.5},
    ),
    (
        "Results - Acme",
        _SEL + "." + _T + "Designation: SDE Intern\nStipend: 50k/month\nPPO: 20 LPA on conversion\n",
        {"SDE Intern": 6.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nRole | CTC\nSDE | 12 LPA\n" + _T,
        {"SDE": 12.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nPosition offered: Associate Consultant\nPackage offered: Rs. 6.5 Lakhs p.a.\n" + _T,
        {"Associate Consultant": 6.5},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nJob Title: Analyst\nCTC (per annum): INR 7,00,000\nJob Location: Gurugram\n" + _T,
        {"Analyst": 7.0},
    ),
    (
        "Results - Acme",
        _SEL + " as Software Engineer.\n\nCompensation:\nFixed: 10 LPA\nVariable: 2 LPA\n" + _T,
        {"Software Engineer": 10.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nSoftware Engineer: 12 LPA | Data Analyst: 8 LPA\n\nName | Enrollment No. | Role\n"
        "Riya Sen | 22103001 | Software Engineer\nAman Roy | 22103002 | Data Analyst\n",
        {"Software Engineer": 12.0, "Data Analyst": 8.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nRole: Software Engineer | CTC: 14 LPA\nRole: Data Analyst | CTC: 9 LPA\n\nName | "
        "Enrollment No. | Role\nRiya Sen | 22103001 | Software Engineer\nAman Roy | 22103002 | "
        "Data Analyst\n",
        {"Software Engineer": 14.0, "Data Analyst": 9.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nSoftware Engineer (CTC: ₹12,00,000 p.a.)\n1. Riya Sen (22103001)\n\nData Analyst "
        "(CTC: ₹8,00,000 p.a.)\n1. Aman Roy (22103002)\n",
        {"Software Engineer": 12.0, "Data Analyst": 8.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nSDE-1 @ 18 LPA:\n1. Riya Sen (22103001)\n\nSDE-2 @ 28 LPA:\n1. Aman Roy (22103002)\n",
        {"SDE-1": 18.0, "SDE-2": 28.0},
    ),
    (
        "Results - Acme",
        _SEL + " as Software Engineer Trainee with a stipend of Rs. 25,000 per month during training and "
        "a CTC of Rs. 6.5 lakhs per annum thereafter." + _T,
        {"Software Engineer Trainee": 6.5},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nName | Enrollment No. | CTC (LPA)\nRiya Sen | 22103001 | 12\nAman Roy | 22103002 | 10"
        "\n\nRole: Software Engineer\n",
        {"Software Engineer": 10.0},
    ),
    (
        "Acme - Results",
        "Dear all,\n\nAcme has selected the following students.\n\nProfile - Software Engineer\nCTC - 9 LPA\n"
        + _T,
        {"Software Engineer": 9.0},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nROLE: SOFTWARE ENGINEER\nCTC: 9 LPA\n" + _T,
        {"SOFTWARE ENGINEER": 9.0},
    ),
    (
        "Results - Acme",
        _SEL + " for the Product Analyst role. The package is INR 11.5 LPA (fixed) plus INR 1.5 LPA "
        "performance bonus." + _T,
        {"Product Analyst": 11.5},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\n• Profile: Associate Software Engineer\n• CTC: ₹4.5 LPA\n• Location: Pune\n" + _T,
        {"Associate Software Engineer": 4.5},
    ),
    (
        "Results - Acme",
        _SEL + " (Role: Cloud Engineer, CTC: 9 LPA)." + _T,
        {"Cloud Engineer": 9.0},
    ),
    (
        "Results - Acme",
        _SEL + " for internship.\n\nRole: Data Science Intern\nStipend: INR 40,000/month for 6 months\n" + _T,
        {"Data Science Intern": 4.8},
    ),
    (
        "Results - Acme",
        _SEL
        + " for internship.\n\nRole: Data Science Intern\nStipend: INR 2,40,000 (total, 6 months)\n"
        + _T,
        {"Data Science Intern": 4.8},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nRole: Trainee Engineer\nCTC: 3.6 - 4.2 LPA (based on the final interview)\n" + _T,
        {"Trainee Engineer": (3.6, 4.2)},
    ),
    (
        "Results - Acme",
        _SEL + ".\n\nRole: Trainee Engineer\nCTC: ₹3,60,000 - ₹4,20,000 per annum\n" + _T,
        {"Trainee Engineer": (3.6, 4.2)},
    ),
]


@pytest.mark.parametrize(("subject", "body", "roles"), MORE_LAYOUTS)
def test_more_role_and_package_layouts(
    subject: str, body: str, roles: dict[str, float | tuple[float, float]]
) -> None:
    classified = _classify(subject, body)
    offer = classified.offer
    assert offer is not None, classified.reason
    found = {r.role: r.package if r.package_max is None else (r.package, r.package_max) for r in offer.roles}
    assert found == roles, classified.reason


# (body after "The following students have been selected by Acme", roles -> LPA): lines that end in a
# unit, breakdowns with and without a total, a trainee's stipend before the CTC, the job in brackets
# after a programme's name, a roles table above the students' table.
FURTHER_LAYOUTS: list[tuple[str, dict[str, float]]] = [
    (_SEL + ".\n\nRole - Software Engineer, CTC - 12 LPA" + _T, {"Software Engineer": 12.0}),
    (_SEL + ".\n\nRole: SDE Intern | Stipend: ₹50,000/month | Duration: 6 months" + _T, {"SDE Intern": 6.0}),
    (
        _SEL + ".\n\nProfiles offered:\n• SDE (₹18 LPA)\n• Support Engineer (₹9 LPA)\n\nName | "
        "Enrollment No. | Profile\nRiya Sen | 22103001 | SDE\nAman Roy | 22103002 | Support "
        "Engineer\n",
        {"SDE": 18.0, "Support Engineer": 9.0},
    ),
    (
        _SEL + " as Software Engineer. CTC: INR 18,00,000 (Fixed: 15,00,000; Variable: 3,00,000)." + _T,
        {"Software Engineer": 18.0},
    ),
    (
        _SEL + " as Software Engineer.\n\n1. Riya Sen (22103001) - 12 LPA\n2. Aman Roy (22103002) - 10 LPA\n",
        {"Software Engineer": 10.0},
    ),
    (
        _SEL + ".\n\nPosition: Associate Engineer\nCTC: ₹ 4,50,000 per annum\nTraining stipend: ₹ "
        "15,000 per month for the first 3 months\n" + _T,
        {"Associate Engineer": 4.5},
    ),
    (
        _SEL + " for the position of Graduate Engineer Trainee with an annual package of INR 5.5 lakh." + _T,
        {"Graduate Engineer Trainee": 5.5},
    ),
    (_SEL + ".\n\nJob Profile: Analyst\nPackage: 7.5 LPA + 1 LPA relocation bonus\n" + _T, {"Analyst": 7.5}),
    (
        _SEL + ".\n\nDesignation | CTC\nSoftware Engineer | ₹12,00,000\nAssociate Engineer | "
        "₹8,00,000\n\nName | Enrollment No. | Designation\nRiya Sen | 22103001 | Software "
        "Engineer\nAman Roy | 22103002 | Associate Engineer\n",
        {"Software Engineer": 12.0, "Associate Engineer": 8.0},
    ),
    (
        _SEL + " for the role of Software Engineer.\n\nCTC breakup:\nBase: ₹10,00,000\nJoining "
        "bonus: ₹1,00,000\nRelocation: ₹50,000\n" + _T,
        {"Software Engineer": 10.0},
    ),
    (
        _SEL + " for the role of Software Engineer.\n\nCTC breakup:\nBase: ₹10,00,000\nVariable: "
        "₹2,00,000\nTotal: ₹12,00,000\n" + _T,
        {"Software Engineer": 12.0},
    ),
    (
        _SEL
        + " for the Summer Internship (Software Engineering Intern) with a stipend of ₹80,000 per month."
        + _T,
        {"Software Engineering Intern": 9.6},
    ),
    (
        _SEL + ".\n\nRole: Software Engineer\nCTC: 25 LPA (Base 18 LPA + Stocks 5 LPA + Bonus 2 LPA)\n" + _T,
        {"Software Engineer": 25.0},
    ),
    (
        _SEL + " as Product Engineer. CTC: 12 LPA in the first year, 14 LPA from the second year." + _T,
        {"Product Engineer": 12.0},
    ),
    (
        _SEL + ".\n\nSDE Intern — ₹1,00,000/month\nData Science Intern (6-month) — stipend 35k pm\n" + _T,
        {"SDE Intern": 12.0, "Data Science Intern": 4.2},
    ),
    (
        _SEL + " as Trainee Analyst.\n\nStipend during training: ₹20,000 per month\nCTC on "
        "confirmation: ₹4,80,000 per annum\n" + _T,
        {"Trainee Analyst": 4.8},
    ),
]


@pytest.mark.parametrize(("body", "roles"), FURTHER_LAYOUTS)
def test_further_role_and_package_layouts(body: str, roles: dict[str, float]) -> None:
    classified = _classify("Results - Acme", body)
    offer = classified.offer
    assert offer is not None, classified.reason
    assert {r.role: r.package for r in offer.roles} == roles, classified.reason


# Money that is not a role's package: a bond, a service agreement, a deposit, the season's figures;
# and a breakdown table whose total row has a serial number.
NOT_ROLES: list[tuple[str, dict[str, float]]] = [
    (
        _SEL
        + " as Software Engineer (CTC 12 LPA)."
        + _T
        + "Bond: 2 years, ₹2,00,000 penalty\nHighest package this season: 44 LPA\nAverage package: 9 LPA\n",
        {"Software Engineer": 12.0},
    ),
    (
        _SEL + " as Software Engineer (CTC 12 LPA)." + _T + "Service agreement - ₹1,50,000 for 18 months\n",
        {"Software Engineer": 12.0},
    ),
    (
        _SEL + ".\n\nRole: Software Engineer\nCTC: 12 LPA\nNotice: Security deposit - Rs. 50,000\n" + _T,
        {"Software Engineer": 12.0},
    ),
    (
        _SEL
        + ".\n\nRole: Software Engineer\nCTC: 12 LPA\n"
        + _T
        + "Total offers this season: 212 | Median CTC: 8.5 LPA\n",
        {"Software Engineer": 12.0},
    ),
    (
        _SEL + " for the role of Associate.\n\nAnnual Fixed Pay: ₹6,00,000\nAnnual Variable Pay: "
        "₹60,000\nTotal CTC: ₹6,60,000\n" + _T,
        {"Associate": 6.6},
    ),
    (
        _SEL + ".\n\nS.No | Component | Amount\n1 | Basic | ₹4,00,000\n2 | HRA | ₹2,00,000\n3 | "
        "Total | ₹6,00,000\n\nRole: Associate\n" + _T,
        {"Associate": 6.0},
    ),
]


@pytest.mark.parametrize(("body", "roles"), NOT_ROLES)
def test_money_that_is_not_a_role(body: str, roles: dict[str, float]) -> None:
    classified = _classify("Results - Acme", body)
    offer = classified.offer
    assert offer is not None, classified.reason
    assert {r.role: r.package for r in offer.roles} == roles, classified.reason


@pytest.mark.parametrize(
    ("header", "cell", "lpa"),
    [("Stipend (per month)", "50,000", 6.0), ("CTC (INR)", "6,50,000", 6.5), ("CTC (LPA)", "7.5", 7.5)],
)
def test_bare_figures_in_a_pay_column(header: str, cell: str, lpa: float) -> None:
    body = (
        f"The following students have been selected by Acme:\n\nName | Enrollment | Role | {header}\n"
        f"Riya Sen | 22103001 | SDE Intern | {cell}\nAman Roy | 22103002 | SDE Intern | {cell}\n"
    )
    offer = extract_offer("Results - Acme", body).offer
    assert offer is not None and [(r.role, r.package) for r in offer.roles] == [("SDE Intern", lpa)]


_HTML = "<p>The following students have been selected by Acme:</p>"
# A roles table above the students' table, per-student figures under "CTC (LPA)", a monthly range,
# "inclusive of variable pay", a bracketed breakdown on the line after the CTC.
TABLES_AND_RANGES: list[tuple[str, dict[str, float | tuple[float, float]]]] = [
    (
        _HTML + "<table border=1><tr><td>Profile</td><td>CTC</td></tr><tr><td>SDE-1</td><td>18 "
        "LPA</td></tr><tr><td>QA Engineer</td><td>₹9,00,000</td></tr></table><table border=1>"
        "<tr><td>Name</td><td>Enrollment</td><td>Profile</td></tr><tr><td>Riya Sen</td>"
        "<td>22103001</td><td>SDE-1</td></tr><tr><td>Aman Roy</td><td>22103002</td><td>QA "
        "Engineer</td></tr></table>",
        {"SDE-1": 18.0, "QA Engineer": 9.0},
    ),
    (
        _HTML + "<table border=1><tr><td>Name</td><td>Enrollment</td><td>Role</td><td>CTC "
        "(LPA)</td></tr><tr><td>Riya Sen</td><td>22103001</td><td>Analyst</td>"
        "<td>7.5</td></tr><tr><td>Aman Roy</td><td>22103002</td><td>Senior Analyst</td>"
        "<td>9</td></tr></table>",
        {"Analyst": 7.5, "Senior Analyst": 9.0},
    ),
    (
        _SEL
        + ".\n\nProfile: Software Engineer\nStipend: ₹30,000 - ₹40,000 per month (based on performance)\n"
        + _T,
        {"Software Engineer": (3.6, 4.8)},
    ),
    (
        _SEL
        + " for the role of Data Engineer with a CTC of ₹ 9.5 Lakhs per annum (inclusive of variable pay)."
        + _T,
        {"Data Engineer": 9.5},
    ),
    (
        _SEL + " as SDE.\n\nCTC: 18 LPA\n(Fixed: 15 LPA; Joining bonus: 2 LPA; Relocation: 1 LPA)\n" + _T,
        {"SDE": 18.0},
    ),
]


@pytest.mark.parametrize(("body", "roles"), TABLES_AND_RANGES)
def test_role_tables_and_ranges(body: str, roles: dict[str, float | tuple[float, float]]) -> None:
    classified = _classify("Results - Acme", body, html=body.startswith("<"))
    offer = classified.offer
    assert offer is not None, classified.reason
    found = {r.role: r.package if r.package_max is None else (r.package, r.package_max) for r in offer.roles}
    assert found == roles, classified.reason
