"""The written notice-type rules (README, "How mail and notices are read"): two examples per type,
decided the same way for an e-mail and for a portal notice."""

from __future__ import annotations

import pytest

from jiit_assets.defs.email.email_notices import classify_notice as classify_email_notice
from jiit_assets.defs.notices.rules import classify_notice as classify_portal_notice
from jiit_assets.lib.models import NoticeType
from jiit_assets.lib.notice_types import notice_type

EXAMPLES: list[tuple[str, str, NoticeType]] = [
    (
        "Revised Placement Policy 2025-26: one student one job",
        "A student placed in a Dream company will not be allowed to sit for further drives.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Pre-placement orientation for 2027 batch (mandatory)",
        "All students of the 2027 batch must attend the placement orientation on Monday at 10 AM.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Gentle reminder – submit internship offer letters",
        "Students who have received internship offers must submit a copy by Monday.",
        NoticeType.REMINDER,
    ),
    (
        "Last date today: placement opt-out form",
        "Students opting out of campus placements must submit the form today.",
        NoticeType.REMINDER,
    ),
    (
        "Hitachi drive postponed",
        "The Hitachi Vantara campus drive scheduled for 15 September has been postponed.",
        NoticeType.UPDATE,
    ),
    (
        "Online Test Schedule – Capgemini (shortlisted students)",
        "Slot 1 (10:00 - 11:30 AM): CSE and IT\nSlot 2 (12:30 - 2:00 PM): ECE",
        NoticeType.UPDATE,
    ),
    (
        "Shortlisted candidates for interview – Amdocs",
        "1. Gaurav Joshi (22103012)\n2. Anushka Pal (22103040)",
        NoticeType.SHORTLISTING,
    ),
    (
        "Revised list: Zomato interview shortlist",
        "There was an error in yesterday's shortlist. The revised list of students shortlisted for the "
        "Zomato interviews is below; only these students should report.\n"
        "Kunal Bhatia 22103210\nRhea Malik 22103245",
        NoticeType.SHORTLISTING,
    ),
    (
        "Internal hackathon: HackJIIT Winter Edition",
        "A 24-hour build-a-thon. Teams of 2-4.",
        NoticeType.HACKATHON,
    ),
    (
        "Code for Bharat: team registration",
        "Code for Bharat is a 36-hour coding competition for college teams. Register your team by 12 Dec.",
        NoticeType.HACKATHON,
    ),
    ("Resume Clinic with Alumni Mentors", "Slots of 15 minutes on Saturday.", NoticeType.WEBINAR),
    ("Pre-Placement Talk: Microsoft", "The talk covers the SWE role (CTC 50 LPA).", NoticeType.WEBINAR),
    (
        "Campus Drive: Nokia – 2026 batch – apply by 5 Sep",
        "Role: Graduate Engineer. CTC: 9 LPA. Apply on SuperSet by 5 September.",
        NoticeType.JOB_POSTING,
    ),
    (
        "Deloitte USI",
        "Deloitte USI is visiting campus for the Analyst role (CTC 7.6 LPA). Apply on SuperSet by 5 Dec.",
        NoticeType.JOB_POSTING,
    ),
    (
        "Internship NOC process – Summer 2026",
        "Fill the NOC form on the T&P portal with the internship offer attached.",
        NoticeType.INTERNSHIP_NOC,
    ),
    (
        "Going for an off-campus internship?",
        "Students who have secured an internship outside campus must submit the No Objection Certificate "
        "request form by 15 Dec.",
        NoticeType.INTERNSHIP_NOC,
    ),
    (
        "Document verification drive for 2026 batch",
        "Get your documents verified as per the branch-wise schedule below.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Collect your offer letters",
        "Students placed in September can collect their printed offer letters this week.",
        NoticeType.ANNOUNCEMENT,
    ),
]


@pytest.mark.parametrize(("title", "body", "expected"), EXAMPLES, ids=[e[0][:40] for e in EXAMPLES])
def test_each_written_rule_decides_both_sources_alike(title: str, body: str, expected: NoticeType) -> None:
    portal_expected = NoticeType.UPDATE if expected == NoticeType.REMINDER else expected
    assert classify_email_notice(title, body).notice_type == expected
    assert classify_portal_notice(title, body) == portal_expected
    decided = notice_type(title, body, source="email")
    assert decided.type == expected and decided.reason  # every decision says which rule held


def test_a_policy_title_outranks_its_change_words_and_the_talks_it_mentions() -> None:
    decided = notice_type(
        "Revised placement policy", "Absence from a pre-placement talk leads to debarment.", source="portal"
    )
    assert decided.type == NoticeType.ANNOUNCEMENT
    assert "policy" in decided.reason


def test_long_and_hostile_bodies_are_read_only_up_to_the_cap() -> None:
    body = "a " * 200_000 + "rescheduled"
    assert notice_type("Placement drive", body, source="portal").type == NoticeType.ANNOUNCEMENT


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a title without a type word: the body decides
        (
            "Capgemini drive: report at Sector-62",
            "Candidates should report at the Sector-62 auditorium tomorrow at 9 AM.",
            NoticeType.UPDATE,
        ),
        (
            "Acme: for tomorrow",
            "Buses for the Acme interviews leave from Gate 2 at 7:30 AM. Carry your college ID.",
            NoticeType.UPDATE,
        ),
        (
            "Acme registrations",
            "The registration deadline for Acme has been pushed to Friday, 6 PM.",
            NoticeType.UPDATE,
        ),
        (
            "Alumni connect: cracking product-company interviews",
            "Alumni from Google and Atlassian will share their preparation journey. Sunday 4 PM.",
            NoticeType.WEBINAR,
        ),
        ("Mentorship programme", "Seniors offer one-on-one mentoring on resumes.", NoticeType.WEBINAR),
        # "update your resume" is an action asked of everyone, not a change to a drive
        (
            "Mandatory: update resume and CGPA on your profile",
            "All students must upload an updated resume. Incomplete profiles will be locked.",
            NoticeType.ANNOUNCEMENT,
        ),
        # collecting offer letters comes after the drive: bringing an ID card there is not drive logistics
        (
            "Offer letters: Acme",
            "Students selected at Acme in the August drive can collect offer letters. Bring your ID card.",
            NoticeType.ANNOUNCEMENT,
        ),
    ],
)
def test_the_body_decides_when_the_title_has_no_type_word(
    title: str, body: str, expected: NoticeType
) -> None:
    decided = notice_type(title, body, source="portal")
    assert decided.type == expected, decided.reason


# One case per class of body sign (the README's "Notice types" table), on notices whose title says
# nothing specific, as portal titles often do ("Please note", a company name, "Important").
BODY_CLASSES: list[tuple[str, str, NoticeType]] = [
    ("Acme", "Acme has called off its campus visit this year.", NoticeType.UPDATE),
    ("Acme", "Results of the Acme interviews are still awaited.", NoticeType.UPDATE),
    (
        "Acme",
        "The final list is expected next week; results are pending with the company.",
        NoticeType.UPDATE,
    ),
    (
        "Please note",
        "The Acme test will be held in lab CL-5 and not in CL-3 as announced earlier.",
        NoticeType.UPDATE,
    ),
    (
        "Acme: room allotment",
        "Acme interviews will take place in rooms 201 to 204 of ABB-II.",
        NoticeType.UPDATE,
    ),
    ("Acme", "The online test for Acme will be conducted on 5 Jan at 10 AM in CL-1.", NoticeType.UPDATE),
    (
        "Acme",
        "The Acme interview links have been sent to your e-mail; join at your allotted time.",
        NoticeType.UPDATE,
    ),
    # a practice test is not a stage of a company's drive
    ("Practice", "A mock aptitude test will be held on Sunday for practice.", NoticeType.ANNOUNCEMENT),
    # a rule for every drive is a standing rule, not one drive's logistics
    (
        "Dress code",
        "Students must wear formal clothes to every interview this season.",
        NoticeType.ANNOUNCEMENT,
    ),
    # the first sentences say what the notice is about; a talk mentioned later does not decide it
    (
        "For tomorrow",
        "All students registered for the Acme drive must come in formal dress tomorrow. "
        "Students in casual clothes will not be allowed into the pre-placement talk.",
        NoticeType.UPDATE,
    ),
    # "seminar hall" is a place, not an event
    ("Acme drive - where to go", "Reporting time at the ABB-III seminar hall is 8:45 AM.", NoticeType.UPDATE),
    # an opening names the dates of its stages too: the invitation to apply decides
    (
        "Acme",
        "Acme will conduct its campus drive on 12 Jan for the SDE role (CTC 40 LPA). "
        "Eligible students should register by 8 Jan.",
        NoticeType.JOB_POSTING,
    ),
    # "open till" is how a new opening states its deadline; an extension says so
    (
        "HackAcme registrations open",
        "Registrations for HackAcme (hackathon) are now open till 10 Aug.",
        NoticeType.HACKATHON,
    ),
    (
        "Acme",
        "The Acme application window is open again till Monday for students who missed it.",
        NoticeType.UPDATE,
    ),
    # addressing students already shortlisted is not a shortlist
    (
        "Acme",
        "The Acme interview process will start at 9 AM tomorrow. Shortlisted students must stay available.",
        NoticeType.UPDATE,
    ),
    (
        "Congratulations",
        "12 students have cleared the first round of Acme and will face the technical interview.",
        NoticeType.SHORTLISTING,
    ),
    (
        "Cracking the coding interview",
        "Join a session by an SDE-2 at Google on 12 Jan on Zoom.",
        NoticeType.WEBINAR,
    ),
    (
        "Soft skills",
        "The T&P cell is organising soft-skills training every Saturday in January.",
        NoticeType.WEBINAR,
    ),
    ("Reg: Acme test", "Acme has moved its online test to 28 Jan.", NoticeType.UPDATE),
    ("Training fee", "The aptitude training fee is to be paid by 5 Feb.", NoticeType.ANNOUNCEMENT),
    (
        "Fwd: Campus Recruitment Drive - Acme - 2026 Batch",
        "We are pleased to invite your 2026 batch for our drive. Role: Software Engineer. CTC: 6.5 LPA.",
        NoticeType.JOB_POSTING,
    ),
    # an opening whose first sentences say it changed was announced before: an update
    (
        "Acme",
        "The last date to apply for Acme (CTC 9 LPA) has been extended. Deadline: 9 Jan.",
        NoticeType.UPDATE,
    ),
    ("Acme", "Job Profile: SDE\nCTC: 12 LPA\nLast date: 5 Jan", NoticeType.JOB_POSTING),
    ("COGNIZANT", "COGNIZANT INTERVIEWS IN ROOMS 12 AND 13. REPORT BY 9 AM.", NoticeType.UPDATE),
    ("Acme drive", "Acme ka drive postpone ho gaya hai, nayi date jaldi aayegi.", NoticeType.UPDATE),
    (
        "Acme",
        "Acme interviews are over for today. Remaining candidates will be interviewed tomorrow.",
        NoticeType.UPDATE,
    ),
    (
        "Note for Acme candidates",
        "Candidates must keep their phones switched off in the assessment hall.",
        NoticeType.UPDATE,
    ),
    (
        "Acme: Round 2 on Friday",
        "Round 2 for Acme will be on Friday at 11 AM on Google Meet.",
        NoticeType.UPDATE,
    ),
    (
        "Acme – technical interview candidates",
        "Candidates for the technical interview of Acme are listed in the attached document.",
        NoticeType.SHORTLISTING,
    ),
    (
        "HackOn with Acme",
        "HackOn season 5 is open to all students. Submit your team by 20 Jan.",
        NoticeType.HACKATHON,
    ),
    # a test platform is not a contest
    ("Acme", "The Acme online test will be held on HackerRank on 7 Jan at 6 PM.", NoticeType.UPDATE),
    # a digest of the week's news is not a change to a drive
    (
        "Weekly placement updates",
        "This week 4 companies visited campus and 38 students were placed.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Fwd: Thank you",
        "We enjoyed meeting your students and will share the results by next Friday.",
        NoticeType.UPDATE,
    ),
    (
        "Re: Webinar by Acme on distributed systems",
        "Reminder: the webinar is today at 5 PM.\n> Acme will hold a webinar on 8 Jan at 5 PM.",
        NoticeType.REMINDER,
    ),
    (
        "Welcome, batch of 2027",
        "The T&P cell will hold an orientation session on the placement process.",
        NoticeType.ANNOUNCEMENT,
    ),
    (
        "Off-campus internship?",
        "Take a no-objection letter from the T&P office before you join.",
        NoticeType.INTERNSHIP_NOC,
    ),
    (
        "Students are reminded",
        "Students are reminded that the consent form must be submitted by Monday.",
        NoticeType.REMINDER,
    ),
]


@pytest.mark.parametrize(("title", "body", "expected"), BODY_CLASSES, ids=[e[1][:40] for e in BODY_CLASSES])
def test_each_class_of_body_sign(title: str, body: str, expected: NoticeType) -> None:
    decided = notice_type(title, body, source="email")
    assert decided.type == expected, decided.reason
    # the reason quotes the words that decided, unless nothing more specific than an announcement held
    assert "says '" in decided.reason or expected == NoticeType.ANNOUNCEMENT, decided.reason


def test_a_revised_list_of_students_is_still_a_shortlist() -> None:
    decided = notice_type(
        "Revised list: Acme interview shortlist",
        "The revised list of students shortlisted for the Acme interviews is below.",
        source="portal",
        students=3,
    )
    assert decided.type == NoticeType.SHORTLISTING and "list" in decided.reason


def test_a_title_that_names_its_kind_outranks_names_found_in_the_body() -> None:
    body = "Priya Rao is inviting you to a scheduled Zoom meeting. Topic: Acme Pre-Placement Talk."
    decided = notice_type("Acme - Pre-Placement Talk (Zoom)", body, source="email", students=1)
    assert decided.type == NoticeType.WEBINAR, decided.reason
    untitled = notice_type("Acme", "Priya Rao 22103001\nAman Das 22103002", source="portal", students=2)
    assert untitled.type == NoticeType.SHORTLISTING, untitled.reason


def test_a_revised_document_is_not_a_changed_drive() -> None:
    body = (
        "Students with an active backlog may register only for companies that allow backlogs. A student "
        "whose backlog is cleared must submit the revised marksheet to have the profile unlocked."
    )
    assert notice_type("Students with backlogs", body, source="portal").type == NoticeType.ANNOUNCEMENT
    changed = notice_type("Acme", "The eligibility for Acme has been revised to 6.5 CGPA.", source="portal")
    assert changed.type == NoticeType.UPDATE, changed.reason


def test_forward_headers_and_wrapped_lines_do_not_take_the_lead() -> None:
    body = (
        "FYI.\n---------- Forwarded message ---------\nFrom: Acme Campus Team\nDate: Mon, 5 Jan 2026\n"
        "To: T&P Cell\n\nAcme invites pre-final year students to a live webinar on careers in\n"
        "Cloud Security on 9 Jan, 5 PM.\nStudents joining in person should carry their ID cards to the Acme PPT hall."
    )
    decided = notice_type("Fwd: Acme", body, source="email")
    assert decided.type == NoticeType.WEBINAR, decided.reason


def test_a_mail_about_a_talk_or_contest_is_a_notice_without_a_placement_word() -> None:
    talk = classify_email_notice(
        "Tech talk postponed", "The tech talk by Acme scheduled for today is postponed."
    )
    assert talk.notice_type == NoticeType.UPDATE, talk.reason
    contest = classify_email_notice(
        "CodeAcme winners", "Congratulations to the winners of our coding contest."
    )
    assert contest.notice_type == NoticeType.HACKATHON, contest.reason
    assert (
        classify_email_notice("Minor project evaluation", "Group 14 presents on Monday.").notice_type is None
    )
