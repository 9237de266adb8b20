"""The Dagster resource for the placement office's IMAP mailbox (connection logic: ``mailbox``)."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field

from jiit_assets.defs.email.mailbox import DEFAULT_FETCH_BATCH, ImapSettings, MailboxSession, open_session


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

    @property
    def is_configured(self) -> bool:
        return bool(self.host.strip() and self.user.strip())

    @property
    def settings(self) -> ImapSettings:
        return ImapSettings(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            folder=self.folder,
            tls_mode=self.tls_mode,
            timeout_seconds=self.timeout_seconds,
            fetch_batch_size=self.fetch_batch_size,
            ca_file=self.ca_file,
        )

    def describe(self) -> str:
        return self.settings.describe()

    @contextmanager
    def session(self) -> Iterator[MailboxSession]:
        """Connect, log in and select the folder; always logs out."""
        with open_session(self.settings) as session:
            yield session
