"""MongoDB connection strings, cut the way pymongo cuts them, for messages without passwords.

``split_uri`` finds the credentials of a ``mongodb://`` or ``mongodb+srv://`` URI even when the
password holds characters that should have been percent-encoded; ``redact_uri``, ``hosts_of`` and
``strip_secrets`` build every message that mentions a URI from it, so no error, log line or
metadata value can quote a password, raw or percent-encoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

_SCHEME = re.compile(r"^\s*(?P<scheme>mongodb(?:\+srv)?://)", re.IGNORECASE)


@dataclass(frozen=True)
class UriParts:
    """A connection string cut where pymongo cuts it: scheme, credentials, hosts and the rest."""

    scheme: str
    user: str
    password: str | None  # None: no ``:`` in the user information (or no credentials at all)
    hosts: str
    rest: str  # ``/database?options`` (may be empty)


def split_uri(uri: str) -> UriParts | None:
    """The parts of a ``mongodb://`` URI, or None for anything else.

    pymongo takes the credentials as everything before the LAST ``@`` of the URI's authority and
    splits them at the FIRST ``:`` into user and password. An unescaped ``/``, ``?`` or ``#`` in a
    password makes pymongo end the authority early and reject the URI; to keep such a password out
    of messages too, the last ``@`` is searched in the whole text. A password therefore always lands
    entirely in ``password``, never in the hosts, the path or the options (an ``@`` inside the
    options would over-redact the hosts, which is the safe side).
    """
    match = _SCHEME.match(uri)
    if match is None:
        return None
    after = uri[match.end() :]
    userinfo, at, remainder = after.rpartition("@")
    if not at:
        userinfo, remainder = "", after
    cut = min((i for i in (remainder.find("/"), remainder.find("?")) if i >= 0), default=len(remainder))
    hosts, rest = remainder[:cut], remainder[cut:]
    user, colon, password = userinfo.partition(":")
    return UriParts(
        scheme=match.group("scheme"),
        user=user,
        password=password if colon else None,
        hosts=hosts,
        rest=rest,
    )


def redact_uri(uri: str) -> str:
    """The URI with any password replaced by ``***`` (the user name is kept: it helps debugging)."""
    parts = split_uri(uri)
    if parts is None or not (parts.user or parts.password is not None):
        return uri
    credentials = f"{parts.user}:***@" if parts.password is not None else f"{parts.user}@"
    return f"{parts.scheme}{credentials}{parts.hosts}{parts.rest}"


def strip_secrets(message: str, uri: str) -> str:
    """Remove the URI's password from a driver message, whatever form the driver echoed it in."""
    parts = split_uri(uri)
    cleaned = message
    if parts is not None and parts.password:
        # Longest first, so a form that contains another is replaced whole.
        forms = {parts.password, unquote(parts.password), quote(unquote(parts.password), safe="")}
        for form in sorted(forms, key=len, reverse=True):
            if form:
                cleaned = cleaned.replace(form, "***")
    return cleaned


def hosts_of(uri: str) -> str:
    """The host list of a MongoDB URI, for error messages (no credentials, no options)."""
    parts = split_uri(uri)
    return (parts.hosts if parts is not None else "") or "(no host)"
