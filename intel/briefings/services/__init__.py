"""Writes for the weekly briefing: subscriptions (`subscriptions`) and sending (`sending`)."""

from intel.briefings.services.sending import (
    ChunkOutcome,
    WeekPlan,
    briefing_chunk_send,
    briefing_message,
    briefing_week_send_now,
    briefing_week_start,
    delivery_resend,
)
from intel.briefings.services.subscriptions import (
    subscription_confirm,
    subscription_grant_clearance,
    subscription_member_save,
    subscription_request,
    subscription_resume,
    subscription_unsubscribe,
    subscription_update,
    subscriptions_erase,
)

__all__ = [
    "ChunkOutcome",
    "WeekPlan",
    "briefing_chunk_send",
    "briefing_message",
    "briefing_week_send_now",
    "briefing_week_start",
    "delivery_resend",
    "subscription_confirm",
    "subscription_grant_clearance",
    "subscription_member_save",
    "subscription_request",
    "subscription_resume",
    "subscription_unsubscribe",
    "subscription_update",
    "subscriptions_erase",
]
