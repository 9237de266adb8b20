"""Test fixtures. Servers (FerretDB, Dovecot, the HTTP stand-ins) start once per session on free
loopback ports and stop at the end; each test gets its own empty database."""

pytest_plugins = [
    "jiit_assets_tests.fixtures.mongo",
    "jiit_assets_tests.fixtures.superset",
    "jiit_assets_tests.fixtures.imap",
    "jiit_assets_tests.fixtures.official",
    "jiit_assets_tests.fixtures.notify",
]
