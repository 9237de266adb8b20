"""Names vulture cannot see being used: read through dataclasses.asdict, JSON or a library.

Each entry says who reads it. Keep this list short: a name that is truly unused should go.
"""

from imap_tools import BaseMailBox

from jiit_assets.defs.campus_app.migration import Counts
from jiit_assets.defs.delivery.sensors import SensorCursor
from jiit_assets.defs.email.mailbox import RawMessage
from jiit_assets.defs.subscribers.profile import DigestMode
from jiit_assets.defs.subscribers.sensors import CommandsCursor
from jiit_assets.lib.vocabulary import NoticeState

# Enumeration members are stored vocabulary even where no code names them.
DigestMode.DAILY
DigestMode.BOTH
NoticeState.QUEUED
# Printed by `migrate legacy` through asdict().
Counts.present
# Sensor cursors are stored as JSON through asdict(): what a person reads in the tick history.
SensorCursor.checked_at
CommandsCursor.last_tick
CommandsCursor.checked_at
# imap-tools' MailMessage protocol: read by the library, set by our raw-bytes subclass.
RawMessage._raw_uid_data
RawMessage._raw_flag_data
# imap-tools builds fetched messages with the mailbox's email_message_class.
BaseMailBox.email_message_class
