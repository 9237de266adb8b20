"""The placement office's IMAP mailbox, read without side effects until results are stored.

Messages are found by UID and fetched with ``BODY.PEEK[]`` (imap-tools' ``mark_seen=False``) in
bulk batches within one session, so reading never sets ``\\Seen``. The caller flags a batch only
after its results are stored: a crash or a dropped connection leaves the rest unseen for the next
run. UIDs (unlike sequence numbers) stay valid for the whole session, and across sessions while the
folder's UIDVALIDITY stays the same, which is what lets ingestion catch up on mail someone already
opened: it remembers the highest UID it finished, not just which mail is unread.

Errors never carry the password: every message raised from here is built from host, port, user and
the error type, and scrubbed of the password in case a server echoes it.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessage,
    MailMessageFlags,
    U,
)
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from jiit_assets.lib.vocabulary import SourceError

TLS_MODES = ("ssl", "starttls", "plain")
DEFAULT_FETCH_BATCH = 50
# What one IMAP command can fail with: protocol errors, socket errors, unexpected statuses.
_IMAP_ERRORS = (imaplib.IMAP4.error, OSError, UnexpectedCommandStatusError)


class ImapError(SourceError):
    """The mailbox could not be read or updated; the message is safe to log (no password)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    tls_mode: str = "ssl"
    timeout_seconds: float = 30.0
    fetch_batch_size: int = DEFAULT_FETCH_BATCH
    ca_file: str = ""

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class FetchedMessage:
    uid: str
    raw: bytes
    seen: bool


class RawMessage(MailMessage):
    """Keeps the raw bytes: decoding (charsets, size caps, errors) is ours, not imap-tools'."""

    def __init__(self, fetch_data: list) -> None:  # type: ignore[type-arg,unused-ignore]
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.raw: bytes = raw


class MailboxSession:
    """One logged-in session on one folder. Obtain it from :func:`open_session`."""

    def __init__(self, box: BaseMailBox, settings: ImapSettings) -> None:
        self._box = box
        self._settings = settings
        self._batch_size = max(2, settings.fetch_batch_size)

    def _fail(self, action: str, error: BaseException) -> ImapError:
        detail = str(error)
        if self._settings.password:
            detail = detail.replace(self._settings.password, "***")
        where = self._settings.describe()
        return ImapError(f"IMAP {action} on {where} failed: {type(error).__name__}: {detail[:200]}")

    def _search(self, criteria: str | AND) -> list[str]:
        try:
            return self._box.uids(criteria)
        except _IMAP_ERRORS as error:
            raise self._fail("search", error) from None

    def unseen_uids(self) -> list[str]:
        return self._search(AND(seen=False))

    def uids_after(self, last_uid: int) -> list[str]:
        """Messages with a UID above ``last_uid``, seen or not.

        ``UID n:*`` always includes the highest UID even when it is below n, so filter here.
        """
        return [uid for uid in self._search(AND(uid=U(str(last_uid + 1), "*"))) if int(uid) > last_uid]

    def uids_between(self, first_day: date, last_day: date) -> list[str]:
        """Messages whose internal (arrival) date falls in [first_day, last_day], seen or not.

        IMAP compares dates in the server's time zone; the search widens by a day on each side
        and the caller keeps only messages whose own date falls in the window.
        """
        return self._search(AND(date_gte=first_day - timedelta(days=1), date_lt=last_day + timedelta(days=2)))

    def uid_validity(self) -> int:
        """The folder's UIDVALIDITY: UIDs remembered under another value mean nothing."""
        try:
            status = self._box.folder.status(self._settings.folder, ["UIDVALIDITY"])
            return int(status["UIDVALIDITY"])
        except (*_IMAP_ERRORS, KeyError, ValueError) as error:
            raise self._fail("STATUS", error) from None

    def fetch_batches(self, uids: Sequence[str]) -> Iterator[list[FetchedMessage]]:
        """Full messages in batches (one UID FETCH of BODY.PEEK[] per batch); \\Seen is not set."""
        for start in range(0, len(uids), self._batch_size):
            chunk = list(uids[start : start + self._batch_size])
            # Another session flagging mail meanwhile (a person in webmail, an overlapping run) makes
            # the server interleave untagged "FETCH (FLAGS ...)" updates without UID or body; they
            # are not messages of this batch.
            asked = set(chunk)
            try:
                batch = [
                    FetchedMessage(
                        uid=message.uid, raw=message.raw, seen=MailMessageFlags.SEEN in message.flags
                    )
                    for message in self._box.fetch(uid_list=chunk, mark_seen=False, bulk=len(chunk) + 1)
                    if isinstance(message, RawMessage) and message.uid in asked
                ]
            except _IMAP_ERRORS as error:
                raise self._fail("fetch", error) from None
            yield batch

    def mark_seen(self, uids: Sequence[str]) -> None:
        if not uids:
            return
        try:
            self._box.flag(list(uids), MailMessageFlags.SEEN, True)
        except _IMAP_ERRORS as error:
            raise self._fail("flagging", error) from None


def _mailbox(settings: ImapSettings) -> BaseMailBox:
    if settings.tls_mode not in TLS_MODES:
        raise ImapError(
            f"IMAP_TLS_MODE must be one of {', '.join(TLS_MODES)}, not {settings.tls_mode!r}", retryable=False
        )
    host, port, timeout = settings.host, settings.port, settings.timeout_seconds
    if settings.tls_mode == "plain":
        return MailBoxUnencrypted(host, port, timeout=timeout)
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    if settings.tls_mode == "starttls":
        return MailBoxStartTls(host, port, timeout=timeout, ssl_context=context)
    return MailBox(host, port, timeout=timeout, ssl_context=context)


def _connect(settings: ImapSettings) -> BaseMailBox:
    where = f"{settings.host}:{settings.port}"
    try:
        box = _mailbox(settings)
    except ImapError:
        raise
    except ssl.SSLCertVerificationError as error:
        raise ImapError(
            f"the certificate of IMAP server {where} is not trusted ({error.verify_message}); "
            "set the right host name or a CA bundle",
            retryable=False,
        ) from None
    except (TimeoutError, ssl.SSLError, *_IMAP_ERRORS) as error:
        raise ImapError(
            f"cannot connect to IMAP server {where} ({settings.tls_mode}): {type(error).__name__}"
        ) from None
    box.email_message_class = RawMessage
    return box


@contextmanager
def open_session(settings: ImapSettings) -> Iterator[MailboxSession]:
    """Connect, log in and select the folder; always logs out."""
    if not (settings.host.strip() and settings.user.strip()):
        raise ImapError("IMAP is not configured (IMAP_HOST and IMAP_USER are empty)", retryable=False)
    box = _connect(settings)
    where = f"{settings.host}:{settings.port}"
    try:
        try:
            box.login(settings.user, settings.password, initial_folder=settings.folder)
        except MailboxLoginError:
            raise ImapError(
                f"IMAP login as {settings.user!r} on {where} was refused", retryable=False
            ) from None
        except _IMAP_ERRORS as error:
            message = str(error).replace(settings.password, "***") if settings.password else str(error)
            raise ImapError(
                f"IMAP login or SELECT {settings.folder!r} on {where} failed: "
                f"{type(error).__name__}: {message[:200]}"
            ) from None
        yield MailboxSession(box, settings)
    finally:
        with contextlib.suppress(Exception):  # the connection may already be gone
            box.logout()
