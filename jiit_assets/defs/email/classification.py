"""What one decoded e-mail is: a placement offer, a notice for students, or neither (and why).

The single decision both the e-mail asset and ``jiit-assets inspect email`` make, so the command
shows exactly what ingestion would do with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jiit_assets.defs.email.email_notices import auto_reply, classify_notice, notice_content, vendor_pitch
from jiit_assets.defs.email.message import DecodedEmail
from jiit_assets.defs.email.offer_company import company_domain, forwarded_sender_company
from jiit_assets.defs.email.offer_decision import decide_offer
from jiit_assets.defs.email.offer_extraction import extract_offer
from jiit_assets.defs.email.offers import PlacementOffer
from jiit_assets.lib.models import NoticeContent


@dataclass(frozen=True)
class MailClassification:
    outcome: Literal["offer", "notice", "skipped"]
    reason: str
    offer: PlacementOffer | None = None  # set when outcome is "offer"
    notice: NoticeContent | None = None  # set when outcome is "notice"


def classify_email(mail: DecodedEmail) -> MailClassification:
    """An offer when the offer rules say so and one could be extracted; else a notice, else skipped."""
    if auto := auto_reply(mail.subject, mail.text, headers_say=mail.auto_reply):
        return MailClassification("skipped", auto)
    if pitched := vendor_pitch(mail.subject, mail.text):
        # a vendor's figures ("PPO conversions", "average CTC 14 LPA") are sales copy, not an offer
        return MailClassification("skipped", pitched)
    company_sender = (
        forwarded_sender_company(mail.text)[1] is not None or company_domain(mail.sender_domain) is not None
    )
    decision = decide_offer(mail.subject, mail.text, company_sender=company_sender)
    reason = decision.reason
    if decision.is_offer:
        extracted = extract_offer(
            mail.subject,
            decision.kept_text or mail.text,
            message_key=mail.message_key,
            time_sent=mail.sent_at,
            sender_domain=mail.sender_domain,
            attachments=mail.attachment_names,
        )
        if extracted.offer is not None:
            return MailClassification("offer", f"{reason}; {extracted.reason}", offer=extracted.offer)
        reason = f"{reason}, but {extracted.reason}"
    notice = classify_notice(mail.subject, mail.text)
    if notice.notice_type is None:
        return MailClassification("skipped", notice.reason)
    return MailClassification(
        "notice", f"{notice.reason}; {reason}", notice=notice_content(mail, notice.notice_type)
    )
