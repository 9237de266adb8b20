"""The bot's answers, as Telegram HTML. Every value that came from a person or a document is escaped.

Kept apart from the command logic so the wording can be read (and changed) in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from jiit_assets.defs.subscribers.profile import DigestMode, Profile
from jiit_assets.defs.subscribers.store import Subscriber

# Settings a student can change from Telegram (the ones delivery acts on).
TELEGRAM_SETTINGS = (
    "branch",
    "batch",
    "enrollment",
    "categories",
    "min_ctc_lpa",
    "muted_companies",
    "reminders",
    "quiet_hours",
    "digest",
    "digest_hour",
)

HELP = (
    "<b>JIIT placement alerts</b>\n"
    "/start – subscribe to placement notices\n"
    "/stop – unsubscribe\n"
    "/status – your subscription and profile\n"
    "/profile – show your profile; set it with <code>key=value</code>, e.g.\n"
    "<code>/profile branch=CSE batch=2027 enrollment=22103045</code>\n"
    "<code>/profile categories=job_posting,shortlisting min_ctc=6</code>\n"
    "<code>/profile mute=Acme Corp, Globex</code>  ·  <code>/profile clear</code>\n"
    "<code>/profile digest=daily digest_hour=20 quiet_hours=on</code>\n"
    "/calendar – your personal deadline calendar link (<code>/calendar revoke</code> replaces it)\n"
    "/stats – placement statistics\n"
    "/help – this list\n\n"
    "With a branch and batch you get only the job postings you are eligible for; with your "
    "enrollment number you also get a personal message when you are on a shortlist or get an offer."
)


def _e(value: Any) -> str:
    return escape(str(value), quote=False)


def greeting(first_name: str | None, kind: str) -> str:
    name = _e(first_name or "there")
    if kind == "new":
        head = f"Hello {name}! 👋 You are subscribed to JIIT placement notices."
    elif kind == "reactivated":
        head = f"Welcome back, {name}! You are subscribed again."
    else:
        head = f"Hi {name}! You are already subscribed."
    return f"{head}\n\n{HELP}"


def stopped(was_active: bool) -> str:
    if was_active:
        return "You are unsubscribed and will get no more notices. Send /start to subscribe again."
    return "You are not subscribed. Send /start to subscribe."


CALENDAR_UNAVAILABLE = "The deadline calendar is not published on this server yet."


def calendar_link(url: str, revoked: bool) -> str:
    head = "Your old calendar link no longer works. Your new one:" if revoked else "Your deadline calendar:"
    return (
        f'{head}\n{_e(url)}\n\nAdd it to Google Calendar or Apple Calendar as a subscription ("from URL"): '
        "it lists the application deadlines of the jobs your profile targets. Keep it private; "
        "send <code>/calendar revoke</code> to replace it."
    )


def not_subscribed() -> str:
    return "You are not subscribed yet: send /start first."


_DIGEST_MODES = {
    DigestMode.INSTANT: "instant (each notice as it arrives)",
    DigestMode.DAILY: "daily digest only",
    DigestMode.BOTH: "instant and a daily digest",
}


def profile_lines(profile: Profile) -> list[str]:
    categories = ", ".join(sorted(profile.categories)) or "all"
    companies = ", ".join(sorted(profile.muted_companies)) or "none"
    return [
        f"Branch/programme: <b>{_e(profile.branch or 'any')}</b>",
        f"Batch: <b>{_e(profile.batch or 'any')}</b>",
        f"Enrollment number: <b>{_e(profile.enrollment or 'not set')}</b>",
        f"Categories: <b>{_e(categories)}</b>",
        f"Minimum CTC: <b>{_e(f'{profile.min_ctc_lpa:g} LPA' if profile.min_ctc_lpa else 'none')}</b>",
        f"Muted companies: <b>{_e(companies)}</b>",
        f"Deadline reminders: <b>{'on' if profile.reminders else 'off'}</b>",
        f"Quiet hours (23:00-07:00 IST): <b>{'on' if profile.quiet_hours else 'off'}</b>",
        f"Delivery: <b>{_DIGEST_MODES[profile.digest]}</b>",
        f"Daily digest at: <b>{profile.digest_hour:02d}:00 IST</b>",
    ]


def profile_text(profile: Profile, changed: bool = False) -> str:
    head = "✅ Profile saved." if changed else "<b>Your profile</b>"
    tail = "Change it with <code>/profile key=value</code> (see /help)."
    return "\n".join([head, *profile_lines(profile), "", tail])


def profile_error(problem: str) -> str:
    return (
        f"❌ {_e(problem)}\nNothing was changed. Example: "
        "<code>/profile branch=CSE batch=2027 min_ctc=6</code>"
    )


def status(subscriber: Subscriber | None) -> str:
    if subscriber is None:
        return "❌ You are not subscribed. Send /start to subscribe."
    if not subscriber.is_active:
        return "❌ You are not subscribed (you stopped or blocked the bot). Send /start to subscribe again."
    since = f" since {subscriber.created_at:%B %d, %Y}" if subscriber.created_at else ""
    return "\n".join([f"✅ You are subscribed{since}.", "", *profile_lines(subscriber.profile)])


def _lpa(value: Any) -> str:
    return f"₹{value:.2f} L" if isinstance(value, int | float) and value > 0 else "–"


def stats(document: Mapping[str, Any] | None) -> str:
    """The latest ``placement_stats`` document: overall figures, then placed/eligible per branch."""
    if not isinstance(document, Mapping) or not isinstance(document.get("overall"), Mapping):
        return "No placement statistics yet: they appear once the first offers are recorded."
    overall = document["overall"]
    lines = [
        "<b>Placement statistics</b>",
        f"Students placed: <b>{_e(overall.get('students_placed', 0))}</b> of "
        f"{_e(overall.get('total_eligible_students', 0))} ({_e(overall.get('placement_percentage', 0))}%)",
        f"Offers: {_e(overall.get('total_offers', 0))} · companies: {_e(overall.get('companies', 0))}",
        f"Average {_lpa(overall.get('average_package'))} · median {_lpa(overall.get('median_package'))}"
        f" · highest {_lpa(overall.get('highest_package'))}",
    ]
    branches = [b for b in document.get("branches") or [] if isinstance(b, Mapping)]
    if branches:
        lines += ["", "<b>Per branch</b> (placed/eligible)"]
    for branch in branches:
        total = branch.get("total_students")
        share = f"/{_e(total)} ({_e(branch.get('placement_percentage'))}%)" if total else ""
        lines.append(
            f"• {_e(branch.get('branch', '?'))}: {_e(branch.get('students_placed', 0))}{share} · "
            f"avg {_lpa(branch.get('average_package'))} · median {_lpa(branch.get('median_package'))}"
            f" · highest {_lpa(branch.get('highest_package'))}"
        )
    return "\n".join(lines)
