"""Names and indexes of every MongoDB collection the pipeline writes.

Asset collections are named after their asset (the IO manager relies on that); the others hold
state that outlives any single materialization: the delivery ledger, subscribers, the processed
e-mail ledger. Indexes are created idempotently by ``MongoResource`` the first time a collection
is used in a process, so a fresh database needs no migration step.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

# Asset collections (same name as the asset).
RAW_SUPERSET_NOTICES = "raw_superset_notices"
ENRICHED_JOBS = "enriched_jobs"
NOTICES = "notices"
EMAIL_PLACEMENT_OFFERS = "email_placement_offers"
EMAIL_NOTICES = "email_notices"
OFFICIAL_PLACEMENT_STATS = "official_placement_stats"
PLACEMENT_STATS = "placement_stats"

# State collections.
EMAIL_OFFER_EVENTS = "email_offer_events"
PROCESSED_EMAILS = "processed_emails"
DELIVERIES = "deliveries"
USERS = "users"
PUSH_SUBSCRIPTIONS = "push_subscriptions"
TELEGRAM_UPDATES = "telegram_updates"  # bot updates already handled (`_id` = update id)
LOCKS = "locks"  # leases that keep two delivery runs apart
DELIVERY_INTENTS = "delivery_intents"  # sends in flight: one small document per ledger write
# Work lists: only what is still to do, so each run reads them whole in O(pending) (lib/outbox.py).
OUTBOX = "outbox"  # notice revisions awaiting delivery
QUEUE_REQUESTS = "queue_requests"  # source documents the notices asset still has to (re)queue
# Notices listed for daily digests (`_id` = notice id), kept a week (delivery/digest.py).
DIGEST_ITEMS = "digest_items"
HELD_NOTICES = "held_notices"  # notices queued but held back by the flood guard until released
CONTENT_HASHES = "content_hashes"  # per source, the content hash of every stored item (lib/hash_store.py)
MIGRATIONS = "migrations"  # one marker per one-time data migration that has run
EMAIL_OFFER_REVISIONS = "email_offer_revisions"  # each committed change of a company's offer
MAILBOX_STATE = "mailbox_state"  # per mailbox folder: UIDVALIDITY and the highest UID ingested

# The campus web app's collections (CAMPUS_APP_DATABASE), in the names and shapes it reads.
CAMPUS_JOBS = "Jobs"
CAMPUS_NOTICES = "Notices"
CAMPUS_PLACEMENT_OFFERS = "PlacementOffers"
CAMPUS_OFFICIAL_PLACEMENT_DATA = "OfficialPlacementData"
CALENDAR_TOKENS = "calendar_tokens"  # per-subscriber calendar feed tokens (`_id` = the token)

INDEXES: dict[str, list[IndexModel]] = {
    RAW_SUPERSET_NOTICES: [
        # The notices asset drains raw notices that still need (re)rendering.
        IndexModel([("notice_state", ASCENDING)], name="notice_state"),
    ],
    ENRICHED_JOBS: [
        IndexModel([("company_key", ASCENDING)], name="company_key"),
        IndexModel([("createdAt", DESCENDING)], name="createdAt_desc"),
    ],
    NOTICES: [
        # The sensor's query: notices with at least one channel still pending.
        IndexModel([("pending", ASCENDING), ("created_at", ASCENDING)], name="pending_created"),
        IndexModel([("createdAt", DESCENDING)], name="createdAt_desc"),
    ],
    EMAIL_NOTICES: [
        IndexModel([("notice_state", ASCENDING)], name="notice_state"),
    ],
    EMAIL_OFFER_EVENTS: [
        IndexModel([("notice_state", ASCENDING)], name="notice_state"),
    ],
    EMAIL_PLACEMENT_OFFERS: [
        # `_id` is the company key (uniqueness comes free); readers list the latest offers first.
        IndexModel([("updated_at", DESCENDING)], name="updated_at_desc"),
    ],
    OFFICIAL_PLACEMENT_STATS: [
        IndexModel([("scrape_timestamp", DESCENDING)], name="scrape_timestamp_desc"),
    ],
    PROCESSED_EMAILS: [
        # Ledger of every message seen, keyed by Message-ID hash; operators list failures by outcome.
        IndexModel([("outcome", ASCENDING)], name="outcome"),
    ],
    DELIVERIES: [
        # One query per notice and channel loads its ledger entries (notify/ledger.py).
        IndexModel(
            [("notice_id", ASCENDING), ("revision", ASCENDING), ("channel", ASCENDING)], name="notice"
        ),
        IndexModel([("state", ASCENDING)], name="state"),
    ],
    USERS: [
        IndexModel([("is_active", ASCENDING)], name="is_active"),
        # A 403 deactivates the subscriber by chat id.
        IndexModel([("chat_id", ASCENDING)], name="chat_id"),
    ],
    PUSH_SUBSCRIPTIONS: [
        IndexModel([("endpoint", ASCENDING)], name="endpoint", unique=True),
    ],
    # The web app's reads: jobs and notices newest first, single jobs by id, the newest snapshot.
    # The unique natural keys make a second writer collide instead of duplicating a document.
    CAMPUS_JOBS: [
        IndexModel([("id", ASCENDING)], name="id", unique=True),
        IndexModel([("createdAt", DESCENDING)], name="createdAt_desc"),
    ],
    CAMPUS_NOTICES: [
        IndexModel([("id", ASCENDING)], name="id", unique=True),
        IndexModel([("createdAt", DESCENDING)], name="createdAt_desc"),
    ],
    CAMPUS_PLACEMENT_OFFERS: [
        IndexModel([("company", ASCENDING)], name="company", unique=True),
    ],
    CAMPUS_OFFICIAL_PLACEMENT_DATA: [
        IndexModel([("content_hash", ASCENDING)], name="content_hash", unique=True),
        IndexModel([("scrape_timestamp", DESCENDING)], name="scrape_timestamp_desc"),
    ],
}
