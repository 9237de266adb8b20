"""The words that show a notice's type: the vocabulary of the written rules in ``notice_types``.

Each pattern is one class of sign, matched on word boundaries and case-insensitively (except
``NAMED_DRIVE``, which needs a capital letter to see a name). Title patterns may be loose, because
a title is short and chosen by the office; body patterns are narrower, because a body mentions
many things in passing. No pattern nests quantifiers over unbounded text: every gap is bounded.
"""

from __future__ import annotations

import re


def words(*alternatives: str) -> re.Pattern[str]:
    """One pattern that matches any of ``alternatives`` as whole words, in any case."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# fmt: off
POLICY = words(
    r"polic(?:y|ies)", r"rules", r"guidelines", r"code of conduct", r"calendar", r"statistics", r"stats",
    r"orientation",
)
# The placement office briefing students on its own process: an announcement, even when called a session.
ORIENTATION = words(r"orientation", r"induction (?:programme|program|session)")
REMINDER_TITLE = words(
    r"reminders?", r"last (?:date|day)(?: is)? (?:today|tonight|tomorrow)", r"closes? (?:today|tonight|tomorrow)",
    r"closing (?:today|tonight|tomorrow)", r"final call", r"last chance", r"don'?t forget",
)
REMINDER_BODY = words(
    r"this is a (?:gentle |friendly |final |quick )?reminder", r"a (?:gentle |friendly |quick )?reminder that",
    r"(?:are|is) (?:hereby |again )?reminded", r"(?:this is )?to remind", r"reminder(?=\s*[:!–-])",
    # urgency about a deadline already announced
    r"(?:only )?\d{1,2} (?:hours?|days?) (?:are )?left", r"closes? (?:today|tonight|at midnight)",
)
CHANGE_TITLE = words(
    r"re-?scheduled?", r"postponed?", r"preponed?", r"cancell?ed", r"called off", r"deferred", r"delayed",
    r"extended", r"extension", r"postponement", r"cancellation", r"revised", r"changed?", r"change (?:in|of)", r"updated", r"venue", r"moved",
    r"shifted",
    # "Update: venue changed", but not the request "update your resume" (an action for all students)
    r"update(?! (?:your|the|resume|profile|cv|cgpa|details|marks|documents?)\b)", r"slots?", r"schedule",
    r"test link", r"reporting (?:time|venue)", r"timings?", r"status", r"awaited",
    # a stage of a drive with its date: "Online Assessment on 8 Oct", "interviews today"
    r"(?:test|assessment|interviews?|gd|group discussion|round \d) (?:on (?:\d{1,2}|mon|tue|wed|thu|fri|sat|sun)\w*|today|tomorrow)",
)
# "Revised list", "Updated shortlist": the change word qualifies a list of students, which stays a list.
AMENDED_LIST = words(r"(?:revised|updated|corrected|amended|modified|new) (?:short[- ]?)?lists?")
SHORTLIST_TITLE = words(
    r"short[- ]?list(?:ed|ing|s)?", r"selected (?:students|candidates)", r"final (?:selects|selections?)",
    r"list of (?:selected|shortlisted|qualified) (?:students|candidates)",
    r"(?:students|candidates) (?:shortlisted|selected|qualified)", r"selected for (?:the )?(?:next|further|final)",
    r"next round", r"qualified for", r"candidates for round", r"round \d",
    r"(?:interview|gd|group discussion|test|final round|hr round) (?:candidates|list)",
    # who goes on to a stage: "candidates for group discussion", "students for the technical interview"
    r"(?:students|candidates) for (?:the )?(?:gd|group discussion|interviews?|technical|hr|personal|final|next|online test|assessment)",
    r"results? (?:of|for) (?:the )?(?:online (?:test|assessment)|written test|interview|round|coding (?:test|round)|gd|aptitude)",
    r"(?:oa|online (?:test|assessment)|coding (?:test|round)|aptitude) results?",
)
# Who moves on. "Shortlisted students must report at 9" addresses a shortlist already made: not a sign.
SHORTLIST_BODY = words(
    r"(?:been|are|is|were|has|have) short[- ]?listed", r"short[- ]?listed (?:for|by)",
    r"(?:students|candidates) for the (?:[\w-]+ ){0,2}(?:interviews?|gd|group discussion|rounds?)\b[^.\n]{0,60}?\b(?:are|is) (?:listed|given|attached)", r"(?:selected|qualified) for (?:the )?(?:next|further|interviews?|final|technical|hr|gd)",
    r"move (?:on )?to (?:the )?(?:next )?round",
    r"(?:cleared|qualified in|passed) (?:the )?(?:[\w-]+ ){0,3}(?:tests?|rounds?|assessments?|oa|gd|group discussion)",
    r"will (?:appear|go|proceed|face|sit) (?:for |to |in )?(?:the )?(?:next|interviews?|technical|hr|gd|group discussion|final)",
)
# A contest: its name ("HackOn", "HackJIIT"; not the test platforms HackerRank and HackerEarth), teams, prizes.
HACKATHON = words(
    r"hackathons?", r"hack(?!er(?:rank|earth))\w+", r"teams? of (?:up to )?(?:\d|two|three|four|five|six)",
    r"(?:submit|register|form) (?:your |a )?teams?", r"prizes? (?:worth|of|pool|money)", r"cash prizes?", r"(?:grand )?finale", r"codathon", r"hackfest", r"ideathon", r"code ?sprint", r"codevita", r"build-a-thon",
    r"coding (?:contest|competition|challenge)", r"capture the flag", r"ctf", r"engineering challenge",
    r"programming (?:contest|competition)", r"hiring challenge", r"code ?fest",
)
WEBINAR_TITLE = words(
    r"webinars?", r"seminars?", r"workshops?", r"talks?", r"sessions?", r"masterclass", r"guest lectures?",
    r"pre[- ]placement talk", r"ppt", r"info(?:rmation)? session", r"conclave", r"panel discussion",
    r"clinic", r"mock interviews?", r"bootcamp", r"mentor(?:ing|ship)", r"fireside chat",
    r"alumni (?:connect|meet|talk|interaction|session|speaks?)", r"meet (?:our|the|your) (?:alumni|seniors)",
)
# An event to attend. "Seminar hall" and "conference room" are places, not events.
WEBINAR_BODY = words(
    r"webinar", r"seminar(?! (?:hall|room))", r"masterclass", r"guest lecture", r"pre[- ]placement talk",
    r"workshop", r"mentor(?:ing|ship)", r"mock interviews?", r"q&a", r"bootcamp",
    r"fireside chat", r"panel discussion", r"clinic", r"(?:tech|guest|expert) talk", r"talk by",
    r"(?:expert|guest|special|invited) lectures?", r"lectures? by", r"sessions? (?:by|with)",
    r"training (?:programme|program|sessions?|workshop)", r"(?:aptitude|soft[- ]skills?|communication) training (?:classes|by|for|on|every|from|will)",
    r"experience[- ]sharing", r"(?:summer|winter) school", r"lecture series", r"will share (?:their|his|her|how|what|insights)",
    r"(?:interactive|info\w*|guidance|counsell?ing|awareness|career|training|doubt[- ]clearing) sessions?",
    # people coming to talk: "Alumni from Google will share their preparation journey"
    r"(?:alumni|seniors|speakers?|experts?)\b[^.\n]{0,100}?\bwill (?:share|talk|speak|conduct|mentor|guide|interact|take|explain)",
    r"(?:will|to) (?:talk|speak) (?:about|on)", r"(?:take|answer) (?:your )?questions",
)
JOB_TITLE = words(
    r"open for applications?", r"job profiles?", r"applications? (?:are )?(?:invited|open)",
    r"job (?:opening|opportunity|openings)", r"internship (?:opportunity|opening)", r"hiring for",
    r"registrations? (?:are )?(?:now )?open", r"campus (?:recruitment |hiring )?drive", r"pool (?:campus )?drive",
    r"(?:recruitment|hiring) drive", r"is hiring", r"walk-?in (?:drive|interviews?)",
    r"off[- ]campus (?:drive|opportunity|hiring)", r"openings? (?:at|for|in)", r"vacanc(?:y|ies)",
)
DRIVE_TITLE = words(
    r"hiring", r"recruitment", r"(?:campus|placement|pool|off[- ]campus|hiring|internship) drive", r"now open",
    r"internship", r"batch",
)
# An invitation to apply or register (decides only with a job detail, ``JOB_DETAIL``).
APPLY = words(
    r"apply (?:now|by|before|on|through|via|at|using|here|for)", r"can apply", r"should register",
    r"register (?:on|by|before|through|via)",
    r"last date (?:to|for) (?:apply|applying|application|register|registration)",
    r"applications? (?:are )?(?:invited|open)", r"invites applications", r"registration link",
    r"interested (?:and eligible )?(?:students|candidates) (?:can|may|should|must) (?:apply|register)",
    r"eligible (?:students|candidates) (?:can|may|should|must) (?:apply|register)",
    r"is hiring", r"hiring for", r"(?:is|are) visiting (?:the |our )?campus for", r"invites \d{4} batch",
    r"(?:pleased|happy) to invite", r"list of (?:interested|eligible) (?:students|candidates)",
    # a job description's labelled deadline: "Last date: 5 Jan", "Apply by - 12 Dec"
    r"(?:last date|deadline|apply by)\s*[:\-–]\s*(?=\w)",
    r"apply kar(?:o|lo|ein|en|ke)?",  # Hinglish: "SuperSet pe apply kar lo"
)
JOB_DETAIL = words(
    r"ctc", r"stipend", r"lpa", r"package", r"job description", r"jd", r"eligib(?:le|ility)", r"designation",
    r"role", r"position", r"compensation", r"salary",
)
NOC = words(r"NOCs?", r"no[- ]objection (?:certificates?|letters?)", r"permission letters?")
# A change to something announced: moved, called off, extended, still awaited.
CHANGE_BODY = words(
    r"re-?scheduled", r"postponed", r"preponed", r"cancell?ed", r"deferred", r"extended",
    # "revised" changes a drive when something of the drive was revised, not in "the revised marksheet"
    r"(?:been|is|are|was|were) revised", r"revised (?:to|from|as)", r"(?:has|have) been changed", r"changed to", r"will now (?:be held|take place|start|be conducted)",
    r"now starts", r"instead of", r"no longer", r"test link", r"reporting time", r"called off", r"withdrawn",
    r"on hold", r"brought forward", r"advanced to", r"pushed (?:to|back|ahead|till|by)",
    r"(?:moved|shifted) (?:to|from|up)",
    r"(?:has|have|been) (?:moved|shifted|pushed|advanced)",
    r"(?:new|revised|changed) (?:dates?|time|timings?|venue|slots?|schedule|eligibility|criteria|deadline)",
    r"(?:postpone|prepone|cancel|reschedule|shift|extend) (?:ho|kar|kiya)\w*",  # Hinglish: "postpone ho gaya"
    r"results?\b[^.\n]{0,60}?\b(?:awaited|pending|expected)", r"(?:still|yet to be) (?:awaited|announced|declared|shared)",
    r"(?:is|are) (?:still )?awaited", r"as (?:announced|informed|communicated|mentioned|notified) (?:earlier|before|previously)",
    r"(?:and|,) not (?:in|at|on|from) ", r"will not (?:be held|take place|be conducted|happen)",
    r"will be (?:announced|declared)",
    # results still to come: "will share the results by next Friday"
    r"will (?:share|announce|declare|publish|send) (?:the )?(?:results?|final list|selections?)",
    r"results? (?:will|would|should) be (?:shared|announced|declared|published|out)",
    # how far a drive has got: "interviews are over for today", "remaining candidates will be interviewed"
    r"(?:interviews?|tests?|process|drive|rounds?|gd|assessments?) (?:are|is|has been|have been) (?:over|concluded|completed?)",
    r"remaining candidates", r"will be (?:interviewed|called)",
    # a window opened again or for longer ("open till" alone is how an opening states its deadline)
    r"extensions?", r"re-?opened", r"(?:more|extra|additional) time", r"(?:students|those) who (?:missed|could not)",
)
# The logistics of a drive day: where and when to report, how to get there, what to wear and bring.
LOGISTICS = words(
    r"report(?:ing)? (?:at|to|in|by|time|venue|before)", r"dress code", r"formal (?:dress|attire|wear|clothes|shoes)",
    r"attire", r"casual (?:clothes|wear)", r"bus(?:es)?", r"transport(?:ation)?", r"(?:carry|bring) (?:your|two|a|an|the|along|printed|\d)",
    r"rooms? (?:no\.?|number|allot\w*|\d+)", r"room allotment", r"venue", r"reach (?:gate|the|by|at)",
    r"copies of (?:your|their|the) (?:resume|cv)s?", r"be present (?:at|in|by)", r"assemble (?:at|in)",
    r"seat(?:ing|ed)", r"admit cards?", r"hall tickets?", r"id cards?", r"laptops?", r"(?:stay|be) available", r"phones?\b[^.\n]{0,30}?\b(?:off|not allowed|prohibited|inside)", r"calculators?",
    r"(?:assessment|exam|examination|test) (?:hall|centre|center|lab|venue)",
    r"allot(?:ted|ment)", r"(?:google meet|meet|teams|zoom|test|assessment|oa|interview) (?:links?|window)",
)
# A stage of a drive and when or where it happens: "the online test will be conducted on 5 Jan in CL-1".
# Counts only when the notice does not invite applications (a new opening also names its stages' dates)
# and is not about practice.
STAGE_TIME = words(
    r"(?:tests?|assessments?|interviews?|gd|group discussion|rounds?|process|ppt|drive)\b[^.\n]{0,30}?\b"
    r"(?:will (?:be (?:held|conducted)|start|begin|commence|take place)|(?:is|are) scheduled|starts|begins)",
)
# A mock or practice test is not a stage of anyone's drive.
PRACTICE = words(r"mock", r"practice")
# Logistics belong to one drive: a company's, or one on a given day. "Formal attire for all interviews"
# is a standing rule (an announcement), "formal dress for tomorrow's drive" is an update.
ONE_DAY = words(
    r"today", r"tonight", r"tomorrow(?:'s)?", r"day[- ]?\d", r"(?:mon|tues|wednes|thurs|fri|satur|sun)day",
    r"on \d{1,2}", r"\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*", r"kal",
)
# A drive named by its company: "Cvent interviews", "the Infosys drive" (a capital, so case-sensitive).
NAMED_DRIVE = re.compile(
    r"\b(?!(?:The|All|Our|Your|These|This|Online|Technical|Final|Campus|Placement|Group|Mock|Next|HR|Written"
    r"|Coding|Aptitude|Pool|Off|Any|Every|Each|Upcoming|Further|Personal|Shortlisted|Selected|Registered|Eligible"
    r"|Interested|Remaining|Such|Those|Some|Other)\b)"
    r"[A-Z][\w&.'-]{1,30} (?i:drive|interviews?|tests?|assessment|gd|group discussion|ppt|pre-placement talk|rounds?|visit|candidates)\b"
)
# A rule for every drive of the season is a standing rule, not one drive's logistics.
STANDING = words(
    r"(?:all|every|any|each) (?:drives?|interviews?|companies|tests?|rounds?|recruit\w*)", r"placement season",
    r"this season", r"throughout",
)
# After the selection there is no drive day left: collecting offer letters or joining is administration.
AFTER_SELECTION = words(r"offer letters?", r"joining (?:date|letters?|formalities)", r"onboarding")
# A talk or contest that is moved or called off is news about its logistics, whatever its title says.
EVENT_CHANGED = words(
    r"(?:has|have) been (?:re-?scheduled|postponed|preponed|cancell?ed|deferred|shifted|moved)",
    r"(?:is|are) (?:re-?scheduled|postponed|preponed|cancell?ed|deferred|shifted|moved)", r"will now (?:be held|take place|start)",
    r"(?:has|have) been called off",
)
# What makes a notice about a drive (so that "extended" or "venue" is a drive's change or logistics).
DRIVE = words(
    r"tests?", r"interviews?", r"drives?", r"rounds?", r"assessments?", r"process", r"deadline",
    r"registrations?", r"applications?", r"last date", r"ppt", r"gd", r"group discussion", r"shortlist(?:ed)?",
    r"offers?", r"joining", r"results?", r"visit", r"campus", r"recruit\w*", r"hiring", r"selection",
    r"pre[- ]placement", r"apply", r"eligib\w*",
)
# The end of a sentence inside a line: notices are read sentence by sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A line that ends a sentence or a label; the next line starts a new one.
LINE_END = re.compile(r"[.!?:;]\s*$")
# A forwarded or replied mail's header lines say who sent it and when, nothing about its type.
MAIL_HEADER = re.compile(
    r"(?i)^(?:(?:from|sent|date|to|cc|bcc)\b\s*(?::.*)?|-{2,}.*(?:forwarded|original) message.*|on .{0,200} wrote:)$"
)
# A salutation on its own ("Dear students,", "Hi all") says nothing about the type.
SALUTATION = re.compile(r"(?i)(?:dear|hi|hello|hey|respected|greetings)\b[^\n]{0,40}")
# fmt: on
