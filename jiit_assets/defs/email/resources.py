"""The placement office's IMAP mailbox, read without side effects until results are stored.

Messages are found by UID and fetched with ``BODY.PEEK[]`` (imap-tools' ``mark_seen=False``) in
bulk batches within one session, so reading never sets ``\\Seen``. The caller flags a batch only
after its results are stored: a crash or a dropped connection leaves the rest unseen for the next
run. UIDs (unlike sequence numbers) stay valid for the whole session.

Errors never carry the password: every message raised from here is built from host, port, user and
the error type, and scrubbed of the password in case a server echoes it.
"""

import contextlib
import imaplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
    MailMessageFlags,
)
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError
from pydantic import Field

TLS_MODES = ("ssl", "starttls", "plain")
DEFAULT_FETCH_BATCH = 50


class ImapError(Exception):
    """The mailbox could not be read or updated; the message is safe to log (no password)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class FetchedMessage:
    uid: str
    raw: bytes
    seen: bool


class _RawMessage(MailMessage):
    """Keeps the raw bytes: decoding (charsets, size caps, errors) is ours, not imap-tools'."""

    def __init__(self, fetch_data: list) -> None:  # type: ignore[type-arg,unused-ignore]
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.raw: bytes = raw


class MailboxSession:
    """One logged-in session on one folder. Obtain it from :meth:`ImapResource.session`."""

    def __init__(self, box: BaseMailBox, describe: str, scrub: str, batch_size: int) -> None:
        self._box = box
        self._describe = describe
        self._scrub = scrub
        self._batch_size = max(2, batch_size)

    def _fail(self, action: str, error: BaseException) -> ImapError:
        detail = str(error)
        if self._scrub:
            detail = detail.replace(self._scrub, "***")
        return ImapError(f"IMAP {action} on {self._describe} failed: {type(error).__name__}: {detail[:200]}")

    def unseen_uids(self) -> list[str]:
        try:
            return self._box.uids(AND(seen=False))
        except (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError) as error:
            raise self._fail("search", error) from None

    def uids_between(self, first_day: date, last_day: date) -> list[str]:
        """Messages whose internal (arrival) date falls in [first_day, last_day], seen or not.

        IMAP compares dates in the server's time zone; the search widens by a day on each side
        and the caller keeps only messages whose own date falls in the window.
        """
        try:
            return self._box.uids(
                AND(date_gte=first_day - timedelta(days=1), date_lt=last_day + timedelta(days=2))
            )
        except (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError) as error:
            raise self._fail("search", error) from None

    def fetch_batches(self, uids: Sequence[str]) -> Iterator[list[FetchedMessage]]:
        """Full messages in batches (one UID FETCH of BODY.PEEK[] per batch); \\Seen is not set."""
        for start in range(0, len(uids), self._batch_size):
            chunk = list(uids[start : start + self._batch_size])
            try:
                batch = [
                    FetchedMessage(
                        uid=message.uid or "", raw=message.raw, seen=MailMessageFlags.SEEN in message.flags
                    )
                    for message in self._box.fetch(uid_list=chunk, mark_seen=False, bulk=len(chunk) + 1)
                    if isinstance(message, _RawMessage)
                ]
            except (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError) as error:
                raise self._fail("fetch", error) from None
            yield batch

    def mark_seen(self, uids: Sequence[str]) -> None:
        if not uids:
            return
        try:
            self._box.flag(list(uids), MailMessageFlags.SEEN, True)
        except (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError) as error:
            raise self._fail("flagging", error) from None


class ImapResource(dg.ConfigurableResource):
    """The placement office's mailbox (Gmail / Google Groups in production, Dovecot in tests)."""

    host: str = Field(
        default="", description="IMAP server host; empty means e-mail ingestion is not configured."
    )
    port: int = Field(default=993, description="993 for implicit TLS, 143 for STARTTLS or plain.")
    user: str = Field(default="", description="Login name of the mailbox.")
    password: str = Field(default="", description="Password or app password (secret: pass it as an EnvVar).")
    folder: str = Field(default="INBOX", description="Folder holding the placement office's mail.")
    tls_mode: str = Field(
        default="ssl", description='"ssl" (implicit TLS), "starttls" or "plain" (tests only).'
    )
    timeout_seconds: float = Field(default=30.0, description="Socket timeout for every IMAP command.")
    fetch_batch_size: int = Field(default=DEFAULT_FETCH_BATCH, description="Messages per UID FETCH command.")
    ca_file: str = Field(
        default="", description="Optional CA bundle for a server with a private certificate."
    )

    def is_configured(self) -> bool:
        return bool(self.host.strip() and self.user.strip())

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"

    def _mailbox(self) -> BaseMailBox:
        if self.tls_mode not in TLS_MODES:
            raise ImapError(
                f"IMAP_TLS_MODE must be one of {', '.join(TLS_MODES)}, not {self.tls_mode!r}", retryable=False
            )
        if self.tls_mode == "plain":
            return MailBoxUnencrypted(self.host, self.port, timeout=self.timeout_seconds)
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.tls_mode == "starttls":
            return MailBoxStartTls(self.host, self.port, timeout=self.timeout_seconds, ssl_context=context)
        return MailBox(self.host, self.port, timeout=self.timeout_seconds, ssl_context=context)

    @contextmanager
    def session(self) -> Iterator[MailboxSession]:
        """Connect, log in and select the folder; always logs out."""
        if not self.is_configured():
            raise ImapError("IMAP is not configured (IMAP_HOST and IMAP_USER are empty)", retryable=False)
        try:
            box = self._mailbox()
        except ImapError:
            raise
        except ssl.SSLCertVerificationError as error:
            raise ImapError(
                f"the certificate of IMAP server {self.host}:{self.port} is not trusted ({error.verify_message}); "
                "set the right host name or a CA bundle",
                retryable=False,
            ) from None
        except (
            TimeoutError,
            OSError,
            imaplib.IMAP4.error,
            ssl.SSLError,
            UnexpectedCommandStatusError,
        ) as error:
            raise ImapError(
                f"cannot connect to IMAP server {self.host}:{self.port} ({self.tls_mode}): {type(error).__name__}"
            ) from None
        box.email_message_class = _RawMessage
        try:
            try:
                box.login(self.user, self.password, initial_folder=self.folder)
            except MailboxLoginError:
                raise ImapError(
                    f"IMAP login as {self.user!r} on {self.host}:{self.port} was refused", retryable=False
                ) from None
            except (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError) as error:
                message = str(error).replace(self.password, "***") if self.password else str(error)
                raise ImapError(
                    f"IMAP login or SELECT {self.folder!r} on {self.host}:{self.port} failed: "
                    f"{type(error).__name__}: {message[:200]}"
                ) from None
            yield MailboxSession(box, self.describe(), self.password, self.fetch_batch_size)
        finally:
            with contextlib.suppress(Exception):  # the connection may already be gone
                box.logout()
