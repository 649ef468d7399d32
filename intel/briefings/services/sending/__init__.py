"""Sending the weekly briefing: start a week, fan out in chunks, send each chunk over SMTP.

Modules by role: `plan` (starting a week, its chunks), `claims` (claims on deliveries, sent
marks), `composition` (composers, fragment sets and renderings kept and shared), `wire`
(the email, pre-encoded per rendering), `chunk` (SMTP connections and the send of a
chunk), `administrators` (resend, send now).

Flow (tasks in `intel.briefings.tasks`, each a thin wrapper around a function here):

1. `briefing_week_start` (Monday 08:00 Asia/Tokyo, or an administrator) records
   the week (`BriefingWeek`, unique per week), captures the digest corrections
   it will carry and marks them briefed, creates one `Delivery` per active
   subscription (unique per subscription and week; a re-run adds only the
   missing ones) and returns the unfinished deliveries in chunks of
   `BRIEFING_CHUNK_SIZE`.
2. `briefing_chunk_send` claims the chunk's deliveries in one conditional
   UPDATE (pending → sending, with a random claim token and the time), opens
   its SMTP connections (one, or up to `CONNECTIONS` for a chunk large enough
   to keep them busy, each in a thread that only talks SMTP), sends each
   claimed briefing and marks accepted ones sent in batches.

Composition and encoding happen once per rendering, not per email: the
composer of the subscription's format (`composer_for`) renders the week once
per clearance, language and corrections, each reader's sectors are assembled
from its fragments (`compose.Fragments`), and each assembled briefing is
encoded once (`Wire`); an email then costs its own four header lines and two
links. Both are kept per worker process across chunks (`fragment_sets`,
`renderings`), and fragment sets are shared between processes through the
cache (`shared_fragments`). The plan orders deliveries by what their
renderings depend on, so a chunk needs few of them.

Delivery guarantee. Every delivery is claimed before anything reaches SMTP,
and only rows that are pending — or whose claim is older than
`BRIEFING_CLAIM_TIMEOUT` (more than the task hard time limit, so their task
is dead) — can be claimed. Hence:

- a retried, duplicated or re-run task never sends a briefing that another
  run sent or is sending: its claim matches no row (it waits and retries
  while another live task holds the rows, and finds them sent);
- after a worker dies mid-chunk, the redelivered task takes over the stale
  claims once the timeout has passed, and sends every briefing not yet marked
  sent. Briefings the dead worker never started are therefore sent exactly
  once. The briefings the server had accepted but the dead worker had not yet
  recorded are sent again: this is **at-least-once for those messages**, by
  choice. They are at most the messages in flight (one per connection) plus
  the unrecorded batch: marks go out one at a time at first and in batches
  doubling up to `MARK_BATCH`, and whatever stops a chunk records what was
  accepted before anything is released. The alternative — never reclaiming,
  at-most-once — would silently drop a subscriber's weekly briefing on every
  crash; a reader who gets the same briefing twice loses less than one who
  gets none.
- temporary SMTP failures (4xx, dropped connections) release the claims and
  the task retries with backoff; permanent failures (5xx) are recorded on the
  delivery, and an address with `BRIEFING_PAUSE_AFTER_FAILURES` permanent
  failures in a row is paused.
"""

from intel.briefings.services.sending.administrators import briefing_week_send_now, delivery_resend
from intel.briefings.services.sending.chunk import (
    PER_CONNECTION,
    TemporarySmtpError,
    briefing_chunk_send,
    connections_for,
)
from intel.briefings.services.sending.claims import ChunkOutcome
from intel.briefings.services.sending.composition import (
    Rendering,
    fragment_sets,
    renderings,
    shared_fragments,
    shared_name,
)
from intel.briefings.services.sending.plan import WeekPlan, briefing_week_start
from intel.briefings.services.sending.wire import Wire, briefing_message

__all__ = [
    "PER_CONNECTION",
    "ChunkOutcome",
    "Rendering",
    "TemporarySmtpError",
    "WeekPlan",
    "Wire",
    "briefing_chunk_send",
    "briefing_message",
    "briefing_week_send_now",
    "briefing_week_start",
    "connections_for",
    "delivery_resend",
    "fragment_sets",
    "renderings",
    "shared_fragments",
    "shared_name",
]
