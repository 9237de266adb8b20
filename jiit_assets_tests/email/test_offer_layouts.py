"""Round-4 offer rules of issue 15, each on a layout of its own: how offices and companies write a
result (tables in any column order, plain-text tables with a "CTC (LPA)" header, two students to a
line, lower-case mails, digests with a heading per company, a breakdown's total in rupees, a stipend
with a PPO, a list said to be attached) and the look-alikes that must stay notices."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from jiit_assets.defs.email.classification import MailClassification, classify_email
from jiit_assets.defs.email.message import decode_email
from jiit_assets.defs.email.offer_company import find_company
from jiit_assets.defs.email.packages import Package, package_of
from jiit_assets.defs.email.privacy import strip_private
from jiit_assets.lib.students import students_in_line


def _classify(
    subject: str, body: str, *, sender: str = "T&P Cell <tnp@jiit.ac.in>", html: bool = False
) -> MailClassification:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "students@jiit.ac.in"
    message["Subject"] = subject
    message["Date"] = "Mon, 01 Dec 2025 10:00:00 +0530"
    message["Message-ID"] = f"<{abs(hash(subject + body))}@example.org>"
    message.set_content(body, subtype="html" if html else "plain")
    return classify_email(decode_email(bytes(message)))


_LIST = "\n\n1. Riya Sen (22103001)\n2. Aman Roy (22103002)\n\nT&P Cell"

OFFERS = [
    (  # HTML table: serial, roll number before the name, branch, a per-student package in rupees
        "Placement result: Zscaler",
        "<p>Zscaler has made final offers to the following students:</p><table border=1><tr><th>S.No</th>"
        "<th>Roll No.</th><th>Name</th><th>Branch</th><th>Package</th></tr><tr><td>1</td><td>22103011</td>"
        "<td>Aman Verma</td><td>CSE</td><td>Rs. 7,50,000/-</td></tr><tr><td>2</td><td>22104022</td>"
        "<td>Neha Joshi</td><td>ECE</td><td>Rs. 7,50,000/-</td></tr></table>",
        "Zscaler",
        {"Not specified": 7.5},
        {"Aman Verma": "22103011", "Neha Joshi": "22104022"},
    ),
    (  # a plain-text table whose header says the figures are in lakhs; the role only as a label
        "Placement Update",
        "We are happy to inform you that the following students have been placed:\n\n"
        "S.No.  Name               Enrollment No.   Branch   CTC (LPA)\n1      Rahul Verma        22103001"
        "         CSE      12\n2      Sneha Gupta        22104002         IT       12\n\n"
        "Company: Publicis Sapient\nRole: Associate Technology L1\n\nT&P Cell",
        "Publicis Sapient",
        {"Associate Technology L1": 12.0},
        {"Rahul Verma": "22103001", "Sneha Gupta": "22104002"},
    ),
    (  # the role and package inside brackets, two roles in one bracket, the table naming each role
        "Selection list - Accenture",
        "Accenture has announced the selection list. Selected students (Associate Software Engineer, 4.5 LPA;"
        " Advanced ASE, 6.5 LPA):\n\nName | Enr. No. | Role\nDeepak Yadav | 22103811 | Associate Software"
        " Engineer\nMeenal Shah | 22103822 | Advanced ASE\n\nCongratulations!",
        "Accenture",
        {"Associate Software Engineer": 4.5, "Advanced ASE": 6.5},
        {"Deepak Yadav": "22103811", "Meenal Shah": "22103822"},
    ),
    (  # the company only in the table's Company column
        "Placement results",
        "<p>Please find below the placement results of this week:</p><table border=1><tr><td><b>Sr. No.</b>"
        "</td><td><b>Name of the Student</b></td><td><b>Enrollment Number</b></td><td><b>Company</b></td>"
        "<td><b>Profile</b></td><td><b>Package (LPA)</b></td></tr><tr><td>1</td><td>Aditya Rao</td>"
        "<td>22103101</td><td>Samsung R&amp;D</td><td>Software Engineer</td><td>22</td></tr></table>",
        "Samsung R&D",
        {"Software Engineer": 22.0},
        {"Aditya Rao": "22103101"},
    ),
    (  # the role as a column of each student line
        "Offers from Goldman Sachs",
        "Goldman Sachs has extended offers to:\nRohan Mehta, 22103301, Analyst, 32 LPA\n"
        "Tanya Bhatt, 22103302, Analyst, 32 LPA\n",
        "Goldman Sachs",
        {"Analyst": 32.0},
        {"Rohan Mehta": "22103301", "Tanya Bhatt": "22103302"},
    ),
    (  # active voice, a breakdown in brackets after the figure
        "Campus placement - Adobe",
        "We are delighted to share that Adobe has offered the Member of Technical Staff role to Prateek"
        " Arora (22103901) with a CTC of 41.5 LPA (base 25 + stocks + bonus).",
        "Adobe",
        {"Member of Technical Staff": 41.5},
        {"Prateek Arora": "22103901"},
    ),
    (  # a stipend now and a PPO's CTC beside it: the stipend is the package
        "Internship offers - Razorpay",
        "Razorpay has offered summer internships to the students below (SDE Intern, INR 50,000 pm + PPO"
        " 18 LPA):\n\n- Tanvi Gupta (22103301)\n- Yash Bansal (22103322)\n",
        "Razorpay",
        {"SDE Intern": 6.0},
        {"Tanvi Gupta": "22103301", "Yash Bansal": "22103322"},
    ),
    (  # enrollment first, initials and "Md." in names, the programme named before a bracketed figure
        "Congratulations - Cognizant GenC Next",
        "Cognizant has declared the final result for GenC Next (CTC 6.75 LPA). Selected students:\n\n"
        "22103201 - Md. Imran - CSE\n22103202 - A. K. Sharma - IT\n",
        "Cognizant",
        {"GenC Next": 6.75},
        {"Md. Imran": "22103201", "A. K. Sharma": "22103202"},
    ),
    (  # all lower case, two students to a line
        "infosys results",
        "hi all\n\ninfosys has selected the following students as power programmer, ctc 9.5 lpa:\n\n"
        "1. aarav mishra 22103903   3. utkarsh tiwari 22103925\n2. simran kaur 22103911\n\ncongrats\ntnp",
        "Infosys",
        {"Power Programmer": 9.5},
        {"Aarav Mishra": "22103903", "Utkarsh Tiwari": "22103925", "Simran Kaur": "22103911"},
    ),
    (  # a weekly digest: the company only in the heading above each list
        "This week's placement results",
        "Results declared this week:\n\nSoftware Engineer | Zeta | 14 LPA\nRiya Sen (22103540)\n\n"
        "Congratulations to all selected students.",
        "Zeta",
        {"Software Engineer": 14.0},
        {"Riya Sen": "22103540"},
    ),
    (  # the short form in the greeting, the full name in the signature
        "Internship results",
        "Greetings from HPE! The students below have cleared all rounds and are offered the Cloud Engineer"
        " Intern position (stipend INR 60,000 per month).\n\nGunjan Sharma - 22102601 - ECE\n\nThanks,\n"
        "University Relations, Hewlett Packard Enterprise",
        "Hewlett Packard Enterprise",
        {"Cloud Engineer Intern": 7.2},
        {"Gunjan Sharma": "22102601"},
    ),
]


@pytest.mark.parametrize(("subject", "body", "company", "roles", "students"), OFFERS)
def test_offer_layouts(
    subject: str, body: str, company: str, roles: dict[str, float], students: dict[str, str]
) -> None:
    classified = _classify(subject, body, html=body.startswith("<"))
    offer = classified.offer
    assert offer is not None, classified.reason
    assert offer.company == company, classified.reason
    assert {r.role: r.package for r in offer.roles} == roles
    assert {s.name: s.enrollment_number for s in offer.students} == students


def test_a_list_said_to_be_attached_is_an_offer_without_names_even_when_the_file_was_dropped() -> None:
    classified = _classify(
        "Josh Technology Group - selected candidates",
        "Josh Technology Group has released the final list of students selected for the Software"
        ' Developer role (CTC 12 LPA). The list is in the attached file "JTG_Final_Selects.pdf".',
    )
    assert classified.offer is not None and classified.offer.students == (), classified.reason
    assert "attachment" in classified.reason


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Wipro: results of online assessment",
            "The following students have been selected in the online assessment of Wipro (CTC 3.5 LPA) and"
            " must attend the TR/HR interview:\n- Riya Sen (22103001)\n",
        ),
        (
            "Interview list - Adobe",
            "The following students have cleared the online test of Adobe (CTC 30 LPA) and will appear for"
            " the interviews tomorrow:\nRiya Sen 22103001\nAman Roy 22103002\n",
        ),
        (
            "Congratulations!",
            "Congratulations to the students who qualified the coding test of Microsoft (CTC 50 LPA). Next"
            " round on Monday.\n1. Neha Verma (22103001)\n",
        ),
        (
            "Results: Deloitte",
            "Deloitte's final results will be announced next week. The list is attached. CTC 7.6 LPA.",
        ),
        # a result subject, congratulations and a list, but the list is of a stage
        (
            "Amazon results",
            "Congratulations! The following students have been shortlisted by Amazon (CTC 44 LPA):" + _LIST,
        ),
        (
            "Adobe result",
            "Congratulations! These students have qualified the Adobe coding round (CTC 30 LPA):" + _LIST,
        ),
        (
            "Goldman Sachs results",
            "Congratulations! These students have been waitlisted (CTC 32 LPA):" + _LIST,
        ),
        (
            "Result - Wipro",
            "Congratulations! The following students are eligible to apply for Wipro (3.5 LPA):" + _LIST,
        ),
        (
            "Results: TCS NQT",
            "Congratulations to those who cleared TCS NQT (CTC 7 LPA). Interviews will be scheduled:" + _LIST,
        ),
        (
            "Offers - Paytm",
            "Paytm will be sharing offers with the selected students after the HR round (CTC 16 LPA):"
            + _LIST,
        ),
        (  # not a job
            "Scholarship results",
            "Congratulations! The following students have been selected for the Reliance Foundation scholarship"
            " of Rs. 2,00,000 per annum:" + _LIST,
        ),
        (
            "Results - Infosys",
            "Infosys has selected the following students for the Specialist Programmer interview (9.5 LPA):"
            + _LIST,
        ),
    ],
)
def test_a_stage_still_ahead_stays_a_notice(subject: str, body: str) -> None:
    classified = _classify(subject, body)
    assert classified.outcome == "notice", classified.reason


def test_total_rows_in_rupees_and_ppo_figures() -> None:
    table = "Component | Amount (INR)\nBase salary | 32,00,000\nJoining bonus | 5,00,000\nTotal CTC (first year) | 37,00,000"
    assert package_of(table) == Package(37.0)
    assert package_of("Total: Rs. 7,50,000/-") == Package(7.5)
    assert package_of("Total: ₹312.40") is None  # a receipt, not a package
    with_ppo = package_of("Stipend 40k per month. PPO CTC of 20 LPA on good performance.")
    assert with_ppo is not None and with_ppo.lpa == 4.8 and "PPO" in str(with_ppo.text)
    assert package_of("They received PPOs with a CTC of 18 LPA.") == Package(18.0)


def test_company_names_a_reader_would_accept() -> None:
    lower = find_company("hcltech selects", "hcltech has selected 3 of our students", "", [])
    assert lower is not None and lower.name == "Hcltech"
    package_words = find_company(
        "Congratulations: CRED internship offers",
        "have been offered a six-month internship at CRED as Backend Engineering Intern. A pre-placement"
        " offer of CTC 24 LPA may follow.",
        "",
        [],
    )
    assert package_words is not None and package_words.name == "CRED"
    sentence_end = find_company("Results", "Riya got an internship at Uber. Stipend: 1 lakh.", "", [])
    assert sentence_end is not None and sentence_end.name == "Uber"


def test_two_students_on_one_line_and_names_in_lower_case() -> None:
    two = students_in_line("1. Aarav Mishra 22103903 3. Utkarsh Tiwari 22103925")
    assert [(s.name, s.enrollment) for s in two] == [
        ("Aarav Mishra", "22103903"),
        ("Utkarsh Tiwari", "22103925"),
    ]
    assert [s.name for s in students_in_line("shivam pandey 22103451")] == ["Shivam Pandey"]
    assert students_in_line("please see below") == []  # lower case without an enrollment number


def test_titles_labels_and_rupee_columns_in_student_lines() -> None:
    assert [(s.name, s.enrollment) for s in students_in_line("1. Ms. Riya Sen (22103001)")] == [
        ("Riya Sen", "22103001")
    ]
    labelled = students_in_line("Riya Sen (Enroll. No. 22103001)")
    assert [(s.name, s.enrollment) for s in labelled] == [("Riya Sen", "22103001")]
    rupees = students_in_line("RIYA SEN (22103001) - CSE - Rs. 7,50,000")
    assert rupees[0].rest == ("CSE", "Rs. 7,50,000")


@pytest.mark.parametrize(
    ("text", "lpa"),
    [
        ("CTC of 12.5 LPA + 2 LPA joining bonus", 12.5),
        ("Joining bonus: INR 1,00,000. CTC: INR 9,00,000 p.a.", 9.0),
        ("Fixed: 10 LPA, Variable: 2 LPA", 10.0),
        ("Base 18 LPA, ESOPs worth 10 L p.a., relocation allowance Rs. 50,000", 18.0),
        ("CTC 4.5 LPA, training fee Rs. 25,000", 4.5),
    ],
)
def test_bonuses_and_small_fees_are_not_the_package(text: str, lpa: float) -> None:
    assert package_of(text) == Package(lpa)


@pytest.mark.parametrize(
    ("body", "company"),
    [
        (
            "We are glad to announce the selection of the following students in Nagarro (CTC 4.5 LPA):",
            "Nagarro",
        ),
        ("Zomato has hired 2 of our students as SDE-1 with a CTC of 22 LPA:", "Zomato"),
        ("The following students will be joining Oracle as Server Technology Member (CTC 18 LPA):", "Oracle"),
        ("These students have bagged a job at PwC as Associate (CTC 7 LPA):", "PwC"),
        ("Inke Deloitte mein selection ho gaya hai, package 7.6 LPA:", "Deloitte"),
        (
            "It gives us immense pleasure to share that Sopra Steria has chosen the following students (5.5 LPA):",
            "Sopra Steria",
        ),
        ("The students who made it through the final interview of Wipro (CTC 3.5 LPA):", "Wipro"),
        ("Students who have received offer letters from HCL (CTC 4.25 LPA):", "HCL"),
    ],
)
def test_selection_said_in_other_words(body: str, company: str) -> None:
    classified = _classify("Great news", body + _LIST)
    assert classified.offer is not None, classified.reason
    assert classified.offer.company == company
    assert len(classified.offer.students) == 2


def test_a_result_said_to_be_out_with_a_list_and_a_package_is_an_offer() -> None:
    classified = _classify("Result", "Kindly note that the result of Samsung is out. CTC 20 LPA." + _LIST)
    assert classified.offer is not None and classified.offer.company == "Samsung", classified.reason


ROUND_FOUR = [
    (  # merged cells: the role and CTC cells span the rows of the students below them
        "Selected Candidates",
        "<p>Greetings from Hexaware! The candidates below have been selected.</p><table border=1><tr><th>Sl</th>"
        "<th>Role</th><th>CTC</th><th>Candidate Name</th><th>Roll No.</th></tr><tr><td>1</td>"
        '<td rowspan="2">Graduate Engineer Trainee</td><td rowspan="2">INR 4.5 Lakhs</td><td>Riya Sen</td>'
        "<td>22103001</td></tr><tr><td>2</td><td>Aman Roy</td><td>22103002</td></tr></table>",
        "Hexaware",
        {"Graduate Engineer Trainee": 4.5},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
    (  # labelled rows: "Name: … | Enrl: … | CTC: …"
        "Selected Candidates - Siemens",
        "The below candidates have been selected for the role of Graduate Trainee Engineer at Siemens.\n\n"
        "Name: Riya Sen | Enrl: 22103001 | CTC: 7 LPA\nName: Aman Roy | Enrl: 22103002 | CTC: 7 LPA\n",
        "Siemens",
        {"Graduate Trainee Engineer": 7.0},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
    (  # an ATS table with a stage per candidate, sent through a recruiting tool
        "Fwd: [Greenhouse] Stage update - Data Analyst",
        "Offers have been released (CTC 9 LPA).\n\nHere's the latest on candidates for Data Analyst at"
        " Swiggy, Bengaluru.\n\nCandidate | Student ID | Stage\nRiya Sen | 22103001 | Offer Released\n"
        "Aman Roy | 22103002 | Not selected\n\nPowered by Greenhouse",
        "Swiggy",
        {"Data Analyst": 9.0},
        {"Riya Sen": "22103001"},
    ),
    (  # a typed row with its columns run together under a "CTC (LPA)" header
        "Final Selects - Bharti Airtel",
        "Please find the final selects of Bharti Airtel below.\n\nSr. No. Enrollment No. Student Name Program"
        " Branch Profile CTC (LPA)\n1 22103001 Riya Sen B.Tech CSE Network Engineer 9\n"
        "2 22104002 Aman Roy B.Tech IT Network Engineer 9\n\nCongratulations!",
        "Bharti Airtel",
        {"Network Engineer": 9.0},
        {"Riya Sen": "22103001", "Aman Roy": "22104002"},
    ),
    (  # role sections whose package follows the list; a range and a stipend
        "Nutanix | Campus hiring outcome",
        "Sharing the outcome of our hiring. Congratulations to all three of you!\n\n"
        "Full-time - Member of Technical Staff (2026 graduates):\n- Riya Sen (22103001)\n"
        "CTC: 30-34 LPA, depending on the location\n\nInternship - Software Intern (2027 graduates):\n"
        "- Aman Roy (23103002)\n- Kiran Das (23103003)\nStipend: INR 80,000 per month\n",
        "Nutanix",
        {"Member of Technical Staff": 30.0, "Software Intern": 9.6},
        {"Riya Sen": "22103001", "Aman Roy": "23103002", "Kiran Das": "23103003"},
    ),
    (  # every round listed; only the final one is the offer
        "Globallogic: status of all rounds",
        "The drive concluded today.\n\nRound 1 - Online test (cleared):\nRiya Sen (22103001), Aman Roy"
        " (22103002), Kiran Das (22103003)\n\nRound 2 - HR interview (final):\nThe following students have"
        " been selected by GlobalLogic as Associate Engineer at a CTC of 5 LPA:\n1. Riya Sen (22103001)\n",
        "GlobalLogic",
        {"Associate Engineer": 5.0},
        {"Riya Sen": "22103001"},
    ),
    (  # the legal name in the body, the brand in the subject; the CTC beside its base figure
        "Nokia - Graduate Engineer - selections",
        "Nokia Global India has announced its selections for the Graduate Engineer profile.\n"
        "Compensation: 11 LPA (CTC) / 8 LPA (base).\n\n1. Riya Sen (22103001)\n",
        "Nokia",
        {"Graduate Engineer": 11.0},
        {"Riya Sen": "22103001"},
    ),
]


@pytest.mark.parametrize(("subject", "body", "company", "roles", "students"), ROUND_FOUR)
def test_round_four_layouts(
    subject: str, body: str, company: str, roles: dict[str, float], students: dict[str, str]
) -> None:
    test_offer_layouts(subject, body, company, roles, students)


def test_a_requisition_id_and_an_off_campus_offer() -> None:
    classified = _classify(
        "Fwd: Status changed to Offer Extended | Analyst | WD_2231_JOB",
        "The students below have been extended offers. CTC: Rs. 6,00,000/- per annum\n\nThis is an automated"
        " notification from Workday on behalf of Nagarro Software Ltd.\n\nCandidate Name Candidate ID Roll No.\n"
        "Riya Sen WD_55012_CAND 22103001\n",
    )
    assert classified.offer is not None and classified.offer.company == "Nagarro Software Ltd.", (
        classified.reason
    )
    assert [s.name for s in classified.offer.students] == ["Riya Sen"]
    single = _classify(
        "Meesho - good news",
        "Very happy to share that Riya Sen (9921103214, CSE) has bagged an off-campus offer from Meesho as"
        " SDE-1 with a package of 30 LPA.",
    )
    assert single.offer is not None and single.offer.company == "Meesho", single.reason
    assert [(s.name, s.enrollment_number) for s in single.offer.students] == [("Riya Sen", "9921103214")]


def test_header_blocks_without_a_marker_and_in_hindi_are_dropped() -> None:
    outlook = (
        "Sharing below the mail from the company.\n\nFrom: Ritika Chaudhary\nSent: Monday, December 22, 2025"
        " 9:12 PM\nTo\nCc\nSubject: Hiring results\n\nHello Team JIIT,\nResults below."
    )
    assert "Ritika" not in strip_private(outlook) and "Results below." in strip_private(outlook)
    hindi = "Pls circulate.\n\n---------- अग्रेषित संदेश ---------\nप्रेषक: Priya Nair <priya@acme.com>\nदिनांक: गुरु, 25 दिस॰ 2025\nविषय: Results\nप्रति\n\nDear Sir,"
    assert strip_private(hindi) == "Pls circulate.\n\nDear Sir,"


@pytest.mark.parametrize(
    ("text", "package"),
    [
        ("CTC: INR 12,00,000 – 15,00,000 p.a. depending on location", (12.0, 15.0)),
        ("Stipend: 50,000 per month", (6.0, None)),
        ("stipend of 35000/- per month", (4.2, None)),
        ("CTC: 650000 p.a.", (6.5, None)),
        ("Stipend Rs. 40,000 - 50,000 per month", (4.8, 6.0)),
    ],
)
def test_rupee_ranges_and_figures_without_a_currency_sign(
    text: str, package: tuple[float, float | None]
) -> None:
    found = package_of(text)
    assert found is not None and (found.lpa, found.high) == package


def test_numbers_that_are_not_money_stay_unread() -> None:
    assert package_of("Batch 2026, Sector 62, Noida 201309; enrollment 22103001") is None


def test_an_ats_notice_with_one_block_of_labelled_lines_per_candidate() -> None:
    body = (
        "Please find the status of your candidates for the Associate Consultant role at Capgemini (CTC 5.75"
        " LPA).\n\nCandidate: Riya Sen\nCollege ID: 22103001\nStatus: Offer Extended\n\nCandidate: Aman Roy\n"
        "College ID: 22103002\nStatus: On hold\n\nCandidate: Kiran Das\nCollege ID: 22103003\nStatus: Offer"
        " Extended\n\nThis is an automated message from Darwinbox."
    )
    classified = _classify("Fwd: Candidate status update", body, sender="Careers <noreply@darwinbox.in>")
    assert classified.offer is not None, classified.reason
    assert classified.offer.company == "Capgemini"
    assert {s.name: s.enrollment_number for s in classified.offer.students} == {
        "Riya Sen": "22103001",
        "Kiran Das": "22103003",
    }


CHAT_AND_SUBJECT = [
    (  # a chat-app forward with bold labels: a result card
        "Fwd: Placement update",
        "*Placement Update*\n*Company:* Zomato\n*Role:* SDE\n*CTC:* 22 LPA\n*Selected:*\n1. Riya Sen - 22103001\n"
        "2. Aman Roy - 22103002\n",
        "Zomato",
        {"SDE": 22.0},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
    (  # the role and package only in the subject
        "Selected Students – Cadence Design Systems – Software Engineer (CTC: 18 LPA)",
        "Dear all,\n\nPlease find the list below.\n\n1. Riya Sen, 22103001, CSE\n2. Aman Roy, 22103002, ECE\n\n"
        "Congratulations!\nT&P",
        "Cadence Design Systems",
        {"Software Engineer": 18.0},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
    (  # each student's role and package in their own row; the company only in the signature
        "RE: Offer roll-out | JIIT",
        "Hi Team,\n\nWe have rolled out offers to the below students today:\n\nRiya Sen – 22103001 – Analyst – ₹9.5"
        " LPA\nAman Roy – 22103002 – Associate – ₹11 LPA\n\nRegards,\nNeha\nCampus Hiring | ZS Associates",
        "ZS Associates",
        {"Analyst": 9.5, "Associate": 11.0},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
    (
        "Congratulations",
        "We congratulate the following students on their selection at Barclays (Graduate Analyst, CTC 18.5"
        " LPA):\n\n22103001 Riya Sen\n22103002 Aman Roy\n",
        "Barclays",
        {"Graduate Analyst": 18.5},
        {"Riya Sen": "22103001", "Aman Roy": "22103002"},
    ),
]


@pytest.mark.parametrize(("subject", "body", "company", "roles", "students"), CHAT_AND_SUBJECT)
def test_chat_forwards_subject_only_details_and_per_row_roles(
    subject: str, body: str, company: str, roles: dict[str, float], students: dict[str, str]
) -> None:
    test_offer_layouts(subject, body, company, roles, students)


@pytest.mark.parametrize(
    ("subject", "body", "company"),
    [
        (
            "Placed at Amazon",
            "Congratulations to Riya Sen, Aman Roy and Kiran Das on being placed at Amazon (44 LPA)!",
            "Amazon",
        ),
        (
            "Results - Cisco",
            "<p>Cisco has selected the following students (CTC 18 LPA):</p><table><tr><th>Name</th><th>Branch</th>"
            "</tr><tr><td>Riya Sen</td><td>CSE</td></tr><tr><td>Aman Roy</td><td>ECE</td></tr></table>",
            "Cisco",
        ),
        (
            "Placement: Nagarro",
            "Riya Sen (CSE) and Aman Roy (IT) have been selected at Nagarro for the Associate Engineer role with a"
            " CTC of 4.5 LPA.",
            "Nagarro",
        ),
    ],
)
def test_names_without_enrollment_numbers(subject: str, body: str, company: str) -> None:
    classified = _classify(subject, body, html=body.startswith("<"))
    assert classified.offer is not None and classified.offer.company == company, classified.reason
    assert {"Riya Sen", "Aman Roy"} <= {s.name for s in classified.offer.students}


def test_a_letter_of_selection_names_its_student_in_the_greeting() -> None:
    letter = _classify(
        "Offer",
        "Hi Riya Sen,\n\nCongratulations! You have received an offer from Adobe with a CTC of 40 LPA.",
    )
    assert letter.offer is not None and [s.name for s in letter.offer.students] == ["Riya Sen"], letter.reason
    to_all = _classify(
        "Offer", "Dear Students,\n\nCongratulations! You have been selected by Oracle (CTC 16 LPA)."
    )
    assert to_all.offer is None  # nobody named: "Students" is not a name
