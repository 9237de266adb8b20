"""The e-mail part: the placement office's mailbox, read into offers and notices."""

import dagster as dg

from jiit_assets.defs.email.assets import (
    email_ingestion,
    email_ledger_has_no_failures,
    email_offers_are_complete,
)

defs = dg.Definitions(
    assets=[email_ingestion],
    asset_checks=[email_offers_are_complete, email_ledger_has_no_failures],
)
