"""The placement office's mailbox for the demo: a real Dovecot IMAP server on 127.0.0.1.

Dovecot (Debian's ``dovecot-imapd``) runs from a throwaway configuration in a temporary directory:
one passwd-file user with a random password, maildir storage, plain IMAP on loopback only (the
pipeline connects with ``IMAP_TLS_MODE=plain``). The demo mails in ``data/mailbox/`` are placed
unseen in INBOX with their ``Date`` moved to yesterday evening (IST), so the notices they produce
fall inside the notices queue's backlog window; their Message-IDs depend only on the day, so a
restart the same day finds them already processed and announces nothing twice.
"""

from __future__ import annotations

import email
import email.policy
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from importlib import resources
from pathlib import Path

from jiit_assets.parsing.text import IST

DEMO_USER = "placements"
STARTUP_TIMEOUT = 20.0


def dovecot_binary() -> str | None:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def demo_messages(today: date) -> list[tuple[str, bytes, datetime]]:
    """(file name, raw message, sent at) of the demo mails, dated yesterday evening IST."""
    folder = resources.files("jiit_assets.standins").joinpath("data", "mailbox")
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


def _config(base: Path, port: int, uid: int, gid: int, service_user: str) -> str:
    login_user = "nobody" if os.geteuid() == 0 else service_user
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {service_user}
default_internal_group = {service_user}
default_login_user = {login_user}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailboxStandin:
    """A running Dovecot: connection settings, message count, and ``stop()``."""

    host: str
    port: int
    user: str
    password: str
    messages: int
    base: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"imap://{self.host}:{self.port}/INBOX"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


def start_mailbox_standin(port: int = 0, today: date | None = None) -> MailboxStandin:
    """Start Dovecot with the demo mails unseen in INBOX. Raises if Dovecot is missing or fails."""
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd; `make system-deps`)")
    port = port or _free_port()
    # Not under a 0700 directory: Dovecot's unprivileged processes must reach the maildir.
    base = Path(tempfile.mkdtemp(prefix="jiit-demo-mailbox-"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        uid, gid, service_user = nobody.pw_uid, nobody.pw_gid, "root"
    else:
        uid, gid = os.getuid(), os.getgid()
        service_user = pwd.getpwuid(uid).pw_name
    inbox = base / "mail" / DEMO_USER
    for folder in (base / "run", base / "state", base / "home", inbox / "cur", inbox / "new", inbox / "tmp"):
        folder.mkdir(parents=True, exist_ok=True)
    messages = demo_messages(today or datetime.now(IST).date())
    for index, (name, raw, sent) in enumerate(messages):
        path = inbox / "new" / f"{int(sent.timestamp())}.demo{index}.{name.removesuffix('.eml')}"
        path.write_bytes(raw)
        os.utime(path, (sent.timestamp(), sent.timestamp()))  # the IMAP internal date
    if os.geteuid() == 0:
        for folder in (base / "mail", base / "home"):
            for root, dirs, files in os.walk(folder):
                for item in [root, *(os.path.join(root, name) for name in dirs + files)]:
                    os.chown(item, uid, gid)
    password = secrets.token_urlsafe(12)
    (base / "passwd").write_text(f"{DEMO_USER}:{{PLAIN}}{password}::::::\n")
    config = base / "dovecot.conf"
    config.write_text(_config(base, port, uid, gid, service_user))
    log = (base / "stdout.log").open("wb")
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    standin = MailboxStandin("127.0.0.1", port, DEMO_USER, password, len(messages), base, process)
    deadline = time_module.monotonic() + STARTUP_TIMEOUT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return standin
        except OSError:
            if process.poll() is not None or time_module.monotonic() > deadline:
                detail = (base / "stdout.log").read_text(errors="replace")[-2000:]
                standin.stop()
                raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{port}: {detail}") from None
            time_module.sleep(0.1)
