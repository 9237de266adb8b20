"""Realistic SuperSet notices and enriched jobs, shaped as the portal and the superset assets store them.

Each sample carries what a reader of the notice would say it is: its type, its company, the job it is
about, and the students it lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jiit_assets.lib.text import company_key

JULY_17_2025_NOON_IST_MS = 1752733860000  # July 17, 2025 at 12:01 PM IST


def _job(
    id: str,
    company: str,
    role: str,
    package: int,
    *,
    annum_months: str = "ANNUM",
    location: str = "Noida",
    hiring_flow: tuple[str, ...] = ("Online Test", "Technical Interview", "HR Interview"),
    created_days_ago: int = 10,
    deadline_ms: int | None = 1753035540000,
) -> dict[str, Any]:
    return {
        "_id": id,
        "id": id,
        "job_profile": role,
        "company": company,
        "company_key": company_key(company),
        "placement_category_code": 1,
        "placement_category": "High",
        "createdAt": JULY_17_2025_NOON_IST_MS - created_days_ago * 86_400_000,
        "deadline": deadline_ms,
        "eligibility_marks": [{"level": "UG", "criteria": 7.0}],
        "eligibility_courses": ["B.Tech - Computer Science and Engineering"],
        "allowed_genders": ["Female", "Male"],
        "job_description": "<p>Build things.</p>",
        "location": location,
        "package": package,
        "annum_months": annum_months,
        "package_info": "",
        "required_skills": [],
        "hiring_flow": list(hiring_flow),
        "placement_type": "FULL_TIME",
        "documents": [],
    }


JOBS: list[dict[str, Any]] = [
    _job("j-acme-sde", "Acme Corp", "Software Development Engineer", 1_200_000, created_days_ago=12),
    _job("j-acme-qa", "Acme Corp", "Quality Engineer", 800_000, created_days_ago=11),
    _job(
        "j-acme-intern",
        "Acme Corporation Pvt. Ltd.",
        "SDE Intern",
        40_000,
        annum_months="Monthly",
        hiring_flow=("Coding Round", "Interview"),
        created_days_ago=3,
    ),
    _job(
        "j-pg-sales", "Procter & Gamble", "Sales Associate", 1_050_000, location="Mumbai", created_days_ago=8
    ),
    _job("j-nimbus", "Nimbus Analytics Pvt. Ltd.", "Data Analyst", 900_000, location="Gurugram"),
    _job("j-tessera", "Tessera Semiconductors", "VLSI Design Engineer", 1_450_000, location="Bengaluru"),
    _job("j-lumen", "Lumen Health", "Graduate Engineer Trainee", 0, location="Unknown", hiring_flow=()),
    _job("j-meridian-sde", "Meridian Payments", "SDE", 1_650_000, created_days_ago=6),
    _job("j-meridian-ops", "Meridian Payments", "Risk Operations Analyst", 700_000, created_days_ago=2),
]


@dataclass(frozen=True)
class Sample:
    notice: dict[str, Any]
    type: str
    company: str | None = None
    job_id: str | None = None
    students: list[tuple[str, str | None]] = field(default_factory=list)


def _notice(
    identifier: str, title: str, content: str, *, author: str = "T&P Cell", days_ago: int = 0
) -> dict[str, Any]:
    published = JULY_17_2025_NOON_IST_MS - days_ago * 86_400_000
    return {
        "identifier": identifier,
        "title": title,
        "content": content,
        "lastModifiedByUserName": author,
        "lastModifiedOn": published + 60_000,
        "publishedAt": published,
        "noticeType": "GENERAL",
        "attachments": [],
    }


_ACME_TABLE = (
    "<p>Dear Students,</p><p>The following students have been shortlisted for the <strong>Online Test</strong> "
    "of Acme Corp for the role of Software Development Engineer.</p>"
    '<table border="1"><tbody>'
    '<tr><td colspan="4"><strong>Acme Corp - Online Test Shortlist</strong></td></tr>'
    "<tr><td><b>S.No.</b></td><td><b>Name of the Student</b></td><td><b>Enrollment No.</b></td><td><b>Branch</b></td></tr>"
    "<tr><td>1</td><td>Pooja Agarwal</td><td>9922103241</td><td>IT</td></tr>"
    "<tr><td>2</td><td>AARAV BANSAL</td><td>22104229</td><td rowspan='2'>ECE</td></tr>"
    "<tr><td>3</td><td>Neha D'Souza</td><td>22103122</td></tr>"
    "<tr><td>4</td><td>Kabir Malhotra</td><td> 9922103172 </td><td>ECE</td></tr>"
    "</tbody></table><p>Test link will be shared on registered e-mail IDs.&nbsp;</p><p>Regards,<br>T&amp;P Cell</p>"
)

_HEADERLESS_TABLE = (
    "<p>Shortlisted for coding test (Round 2) of Meridian Payments (Risk Operations Analyst):</p>"
    "<table><tr><td>1</td><td>22103106</td><td>Yash Srivastava</td><td>CSE</td></tr>"
    "<tr><td>2</td><td>9922103264</td><td>Aarav Kapoor</td><td>ECE</td></tr>"
    "<tr><td>3</td><td>22103242</td><td>Harsh Mittal</td><td>IT</td></tr></table>"
)

_REORDERED_COLUMNS = (
    "<p>Students shortlisted for the interview process of Tessera Semiconductors:</p>"
    "<table><tr><th>Roll No</th><th>Programme</th><th>Student Name</th><th>CGPA</th></tr>"
    "<tr><td>22102024</td><td>B.Tech ECE</td><td>Diya Malhotra</td><td>8.1</td></tr>"
    "<tr><td>9922102202</td><td>B.Tech ECE</td><td>Kabir Srivastava</td><td>7.9</td></tr>"
    "<tr><td></td><td></td><td></td><td></td></tr>"
    "</table><p>Report at 9:30 AM sharp with 2 copies of CV.</p>"
)

_TEXT_LIST = (
    "<p>Congratulations to the following students selected by Nimbus Analytics Pvt. Ltd. as Data Analyst:</p>"
    "<p>1. Aditya Bansal (9922103060)<br>2. Kabir Verma (22103071)<br>22103099 - Riya Sen<br>"
    "Arjun Mehta - 22104011</p><p>For queries contact Mr. Sharma (9876543210).</p>"
)

_COMMA_LIST = (
    "<p>The following students are shortlisted for the Group Discussion of Procter &amp; Gamble: "
    "Ananya Chauhan, Diya Malhotra, Nikhil Gupta.</p><p>Venue: Noida, Sector 62, LT-1.</p>"
)

_HOSTILE = (
    "<p>Students with CGPA < 7 & backlogs > 0 are not eligible.</p>"
    "<script>alert('x')</script><p onclick=\"steal()\">Use <b>bold <i>nesting</b> wrong</i> here</p>"
    "<p>Write <code>&lt;tag&gt;</code> literally &amp; &quot;quote&quot; it</p><style>p{}</style>"
    "<p>Online test rescheduled to 22 July."
)

_LONG_BODY = "".join(
    f"<p>Clause {n}: all students must follow the placement policy of JIIT &amp; the T&amp;P cell; "
    f'offers < 4.6 LPA count as "dream" offers only when approved by the committee. '
    f"Repeated violations lead to debarment — no exceptions 🚫.</p>"
    for n in range(1, 61)
)

SAMPLES: list[Sample] = [
    Sample(
        _notice("n-sl-acme", "Shortlist for Online Test - Acme Corp", _ACME_TABLE),
        "shortlisting",
        "Acme Corp",
        "j-acme-sde",
        [
            ("Pooja Agarwal", "9922103241"),
            ("AARAV BANSAL", "22104229"),
            ("Neha D'Souza", "22103122"),
            ("Kabir Malhotra", "9922103172"),
        ],
    ),
    Sample(
        _notice("n-sl-meridian", "Meridian Payments — Shortlist for Coding Test", _HEADERLESS_TABLE),
        "shortlisting",
        "Meridian Payments",
        "j-meridian-ops",
        [("Yash Srivastava", "22103106"), ("Aarav Kapoor", "9922103264"), ("Harsh Mittal", "22103242")],
    ),
    Sample(
        _notice("n-sl-tessera", "Tessera Semiconductors: Shortlist for Interviews", _REORDERED_COLUMNS),
        "shortlisting",
        "Tessera Semiconductors",
        "j-tessera",
        [("Diya Malhotra", "22102024"), ("Kabir Srivastava", "9922102202")],
    ),
    Sample(
        _notice("n-sl-nimbus", "Nimbus Analytics - Final Selects", _TEXT_LIST),
        "shortlisting",
        "Nimbus Analytics Pvt. Ltd.",
        "j-nimbus",
        [
            ("Aditya Bansal", "9922103060"),
            ("Kabir Verma", "22103071"),
            ("Riya Sen", "22103099"),
            ("Arjun Mehta", "22104011"),
        ],
    ),
    Sample(
        _notice("n-sl-pg", "P&G GD shortlist", _COMMA_LIST),
        "shortlisting",
        "Procter & Gamble",
        "j-pg-sales",
        [("Ananya Chauhan", None), ("Diya Malhotra", None), ("Nikhil Gupta", None)],
    ),
    Sample(
        _notice(
            "n-jp-acme-qa",
            "Open for applications - Acme Corp's Job Profile - Quality Engineer",
            "<p><strong>Acme Corp</strong> is visiting campus for the role of Quality Engineer.</p>"
            "<p><b>CTC:</b> 8 LPA</p><p>Eligibility: CGPA &gt;= 7, no active backlogs.</p>"
            "<p>Interested students can apply on SuperSet before 20 July, 11:59 PM.</p>",
        ),
        "job_posting",
        "Acme Corp",
        "j-acme-qa",
    ),
    Sample(
        _notice(
            "n-jp-meridian-ops",
            "Meridian Payments - Risk Operations Analyst - Applications invited",
            "<p>Applications are invited for the Risk Operations Analyst role at Meridian Payments.</p>"
            "<p>Apply by 22 July on the portal.</p>",
        ),
        "job_posting",
        "Meridian Payments",
        "j-meridian-ops",
    ),
    Sample(
        _notice(
            "n-jp-announcement-titled",
            "Announcement",
            "<p>Lumen Health is hiring Graduate Engineer Trainees from the 2026 batch.</p>"
            "<p>Role: Graduate Engineer Trainee<br>Eligibility: all B.Tech branches.</p>"
            "<p>Interested students can apply through the portal by Friday.</p>",
        ),
        "job_posting",
        "Lumen Health",
        "j-lumen",
    ),
    Sample(
        _notice(
            "n-up-acme",
            "Acme Corp: Online Test rescheduled",
            "<p>The online test of Acme Corp scheduled for 19 July has been rescheduled to "
            "<strong>21 July 2025, 2:00 PM</strong>. Venue remains the same (CL-1 &amp; CL-2).</p>",
        ),
        "update",
        "Acme Corp",  # no profile named: the newest profile spelled as the notice spells the company
        "j-acme-qa",
    ),
    Sample(
        _notice(
            "n-up-tessera-ppt",
            "Tessera: Venue change for PPT",
            "<p>Pre-placement talk of Tessera Semiconductors will now be held in <b>LT-3</b> instead of LT-1.</p>",
        ),
        "update",
        "Tessera Semiconductors",
        "j-tessera",
    ),
    Sample(
        _notice(
            "n-up-reminder",
            "Reminder: Fill the placement consent form",
            "<p>Students who have not yet filled the consent form are reminded to do so by tomorrow.</p>"
            '<p>Link: <a href="https://forms.example.invalid/consent">Consent form</a></p>',
        ),
        "update",
    ),
    Sample(_notice("n-up-hostile", "Important <b>update</b> & notice", _HOSTILE), "update"),
    Sample(
        _notice(
            "n-an-policy",
            "Placement Policy 2025-26",
            "<p>Dear Students,</p><p>The placement policy for the 2025-26 session has been uploaded.</p>"
            "<ul><li>One student, one job (High category)</li><li>Dream offers above 12 LPA</li></ul>",
        ),
        "announcement",
    ),
    Sample(
        _notice(
            "n-an-calendar",
            "Campus recruitment drive calendar - August",
            "<table><tr><th>Date</th><th>Company</th></tr><tr><td>2 Aug</td><td>Acme Corp</td></tr>"
            "<tr><td>5 Aug</td><td>Tessera Semiconductors</td></tr><tr><td>9 Aug</td><td>Nimbus Analytics</td></tr>"
            "</table>",
        ),
        "announcement",
    ),
    Sample(_notice("n-an-long", "Code of conduct during placements", _LONG_BODY), "announcement"),
    Sample(_notice("n-an-empty", "", ""), "announcement"),
    Sample(
        _notice(
            "n-hk-sih",
            "Smart India Hackathon 2025 - Internal Round",
            "<p>The internal round of <strong>Smart India Hackathon 2025</strong> will be conducted on "
            "12-13 September.</p><p><b>Team size:</b> 6 (at least 1 female member)</p>"
            "<p>Register by 5 September.</p>",
        ),
        "hackathon",
    ),
    Sample(
        _notice(
            "n-hk-acme",
            "CodeSprint 36-hour Hackathon by Acme Corp",
            "<p>Acme Corp presents CodeSprint, a 36-hour hackathon. Prize pool: ₹1,50,000. Teams of 2-4.</p>",
        ),
        "hackathon",
        "Acme Corp",
    ),
    Sample(
        _notice(
            "n-wb-pm",
            "Webinar: Cracking Product Management Interviews",
            "<p>Join the webinar on <strong>Cracking PM interviews</strong>.</p>"
            "<p><b>Speaker:</b> Ms. Neha Kapoor, Senior PM<br><b>Date:</b> 20 July, 6 PM (Google Meet)</p>",
        ),
        "webinar",
    ),
    Sample(
        _notice(
            "n-wb-ppt",
            "Pre-Placement Talk - Procter & Gamble",
            "<p>Procter &amp; Gamble will address the batch about careers in sales.</p>",
        ),
        "webinar",
        "Procter & Gamble",
    ),
]
