"""The placement office's mailbox for the demo: a real Dovecot IMAP server on 127.0.0.1.

Dovecot (Debian's ``dovecot-imapd``) runs from a throwaway configuration in a temporary directory
(:mod:`jiit_assets_tests.standins.dovecot`): one passwd-file user with a random password, maildir storage,
plain IMAP on loopback only (the pipeline connects with ``IMAP_TLS_MODE=plain``). The demo mails in
``data/mailbox/`` are placed unseen in INBOX with their ``Date`` moved to yesterday evening (IST), so the notices they produce
fall inside the notices queue's backlog window; their Message-IDs depend only on the day, so a
restart the same day finds them already processed and announces nothing twice.
"""

from __future__ import annotations

import email
import email.policy
import os
import secrets
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from importlib import resources
from pathlib import Path

from jiit_assets.lib.text import IST
from jiit_assets_tests.standins.dovecot import STARTUP_TIMEOUT, DovecotProcess, dovecot_binary, start_dovecot

__all__ = [
    "DEMO_USER",
    "STARTUP_TIMEOUT",
    "MailboxStandin",
    "demo_messages",
    "dovecot_binary",
    "start_mailbox_standin",
]

DEMO_USER = "placements"


def demo_messages(today: date) -> list[tuple[str, bytes, datetime]]:
    """(file name, raw message, sent at) of the demo mails, dated yesterday evening IST."""
    folder = resources.files("jiit_assets_tests.standins").joinpath("data", "mailbox")
    evening = datetime.combine(today, time(17, 0), tzinfo=IST) - timedelta(days=1)
    messages = []
    for index, entry in enumerate(sorted(folder.iterdir(), key=lambda item: item.name)):
        if not entry.name.endswith(".eml"):
            continue
        message = email.message_from_bytes(entry.read_bytes(), policy=email.policy.compat32)
        sent = evening + timedelta(minutes=20 * index)
        del message["Date"]
        message["Date"] = format_datetime(sent)
        del message["Message-ID"]
        message["Message-ID"] = f"<demo-{today:%Y%m%d}-{entry.name.removesuffix('.eml')}@mail.jiit.ac.in>"
        messages.append((entry.name, message.as_bytes(), sent))
    return messages


@dataclass
class MailboxStandin:
    """A running Dovecot: connection settings, message count, and ``stop()``."""

    host: str
    port: int
    user: str
    password: str
    messages: int
    dovecot: DovecotProcess

    @property
    def base(self) -> Path:
        return self.dovecot.base

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.dovecot.process

    @property
    def url(self) -> str:
        return f"imap://{self.host}:{self.port}/INBOX"

    def stop(self) -> None:
        self.dovecot.stop()


def start_mailbox_standin(port: int = 0, today: date | None = None) -> MailboxStandin:
    """Start Dovecot with the demo mails unseen in INBOX. Raises if Dovecot is missing or fails."""
    messages = demo_messages(today or datetime.now(IST).date())

    def seed(mail: Path) -> None:
        inbox = mail / DEMO_USER
        for folder in ("cur", "new", "tmp"):
            (inbox / folder).mkdir(parents=True)
        for index, (name, raw, sent) in enumerate(messages):
            path = inbox / "new" / f"{int(sent.timestamp())}.demo{index}.{name.removesuffix('.eml')}"
            path.write_bytes(raw)
            os.utime(path, (sent.timestamp(), sent.timestamp()))  # the IMAP internal date

    password = secrets.token_urlsafe(12)
    dovecot = start_dovecot({DEMO_USER: password}, port=port, seed_mail=seed, prefix="jiit-demo-mailbox-")
    return MailboxStandin("127.0.0.1", dovecot.port, DEMO_USER, password, len(messages), dovecot)
