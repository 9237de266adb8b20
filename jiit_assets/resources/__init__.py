"""Resources: everything that talks to the outside world (MongoDB, SuperSet, IMAP, Telegram, Web Push)."""
