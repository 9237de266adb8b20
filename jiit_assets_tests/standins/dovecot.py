"""A real Dovecot IMAP server on 127.0.0.1, run from a throwaway configuration in a temporary directory.

Shared by the demo mailbox (:mod:`jiit_assets_tests.standins.mailbox`) and the test suite's IMAP fixture:
passwd-file users with plain passwords, maildir storage, plain IMAP (with STARTTLS when a certificate
is given) on one loopback port and implicit TLS on another. As root the mail is owned by ``nobody``;
otherwise by the current user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STARTUP_TIMEOUT = 20.0


def dovecot_binary() -> str | None:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@dataclass(frozen=True)
class TlsCertificate:
    """PEM certificate and private key for ``ssl_cert`` / ``ssl_key``."""

    certificate: bytes
    private_key: bytes


@dataclass
class DovecotProcess:
    """A running Dovecot: its ports, files and ``stop()`` (which also removes its directory)."""

    base: Path
    port: int
    tls_port: int | None  # implicit TLS (imaps), when started with a certificate
    process: subprocess.Popen[bytes]

    @property
    def log_path(self) -> Path:
        return self.base / "dovecot.log"

    @property
    def ca_file(self) -> Path:
        """The certificate (self-signed certificates are their own CA), to trust it."""
        return self.base / "cert.pem"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)


@dataclass(frozen=True)
class _Owner:
    uid: int
    gid: int
    service_user: str
    login_user: str


def _owner() -> _Owner:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return _Owner(nobody.pw_uid, nobody.pw_gid, "root", "nobody")
    user = pwd.getpwuid(os.getuid()).pw_name
    return _Owner(os.getuid(), os.getgid(), user, user)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(base: Path, port: int, tls_port: int | None, owner: _Owner, login_penalty: bool) -> str:
    if tls_port is None:
        ssl = "ssl = no"
        imaps = "port = 0"
    else:
        ssl = f"ssl = yes\nssl_cert = <{base}/cert.pem\nssl_key = <{base}/key.pem"
        imaps = f"address = 127.0.0.1\n    port = {tls_port}"
    no_penalty = """auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
"""
    return f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
listen = 127.0.0.1
protocols = imap
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {owner.service_user}
default_internal_group = {owner.service_user}
default_login_user = {owner.login_user}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.uid} gid={owner.gid} home={base}/home/%u
}}
{"" if login_penalty else no_penalty}service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
}}
"""


def start_dovecot(
    users: dict[str, str],
    *,
    port: int = 0,
    certificate: TlsCertificate | None = None,
    seed_mail: Callable[[Path], None] | None = None,
    login_penalty: bool = True,
    prefix: str = "jiit-dovecot-",
) -> DovecotProcess:
    """Start Dovecot and wait until it listens. Raises ``RuntimeError`` if it is missing or fails.

    ``users`` maps login names to passwords; ``seed_mail`` may write maildirs under the ``mail``
    directory it is given (``<mail>/<user>/{cur,new,tmp}``) before the server starts. With a
    ``certificate`` the plain port offers STARTTLS and a second free port speaks implicit TLS.
    ``login_penalty=False`` drops Dovecot's delay after a failed login (for tests that fail on purpose).
    """
    binary = dovecot_binary()
    if binary is None:
        raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd; `make system-deps`)")
    port = port or _free_port()
    tls_port = _free_port() if certificate is not None else None
    # Not under a 0700 directory: Dovecot's unprivileged processes must reach the maildir.
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)
    for name in ("run", "state", "mail", "home"):
        (base / name).mkdir()
    if seed_mail is not None:
        seed_mail(base / "mail")
    owner = _owner()
    if os.geteuid() == 0:
        for folder in (base / "mail", base / "home"):
            for root, dirs, files in os.walk(folder):
                for item in [root, *(os.path.join(root, name) for name in dirs + files)]:
                    os.chown(item, owner.uid, owner.gid)
    if certificate is not None:
        (base / "cert.pem").write_bytes(certificate.certificate)
        (base / "key.pem").write_bytes(certificate.private_key)
        (base / "key.pem").chmod(0o600)
    (base / "passwd").write_text(
        "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items())
    )
    config = base / "dovecot.conf"
    config.write_text(_config(base, port, tls_port, owner, login_penalty))
    with (base / "stdout.log").open("wb") as log:
        process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
    dovecot = DovecotProcess(base, port, tls_port, process)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    for listening in (port, tls_port):
        if listening is not None:
            _wait_listening(dovecot, listening, deadline)
    return dovecot


def _wait_listening(dovecot: DovecotProcess, port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if dovecot.process.poll() is not None or time.monotonic() > deadline:
                detail = (dovecot.base / "stdout.log").read_text(errors="replace")[-2000:]
                dovecot.stop()
                raise RuntimeError(f"Dovecot did not start on 127.0.0.1:{port}: {detail}") from None
            time.sleep(0.1)
