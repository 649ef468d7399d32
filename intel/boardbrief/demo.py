"""Demo board brief for `seed_demo`: questions for the board on the published demo digest.

Runs after the demo digests (`intel.digests.demo`). Idempotent: a week that
already has questions keeps them.
"""

from __future__ import annotations

from io import TextIOBase

from accounts.models import User
from intel.boardbrief import services
from intel.digests.demo import ANALYST, PUBLISHED_SECTOR
from intel.models import BoardBrief, Digest

QUESTIONS_EN = (
    "Which of our products depend on gallium or germanium refined in one country?\n"
    "How many weeks of production do our stocks cover if licences stop?\n"
    "Who owns the decision to qualify a second source, and by when?"
)
QUESTIONS_JA = (
    "一国で精製されたガリウムやゲルマニウムに依存している製品はどれか。\n"
    "許可が止まった場合、在庫で何週間の生産を賄えるか。\n"
    "第二の調達先の認定は誰がいつまでに決めるのか。"
)


def seed(stdout: TextIOBase) -> None:
    analyst = User.objects.filter(email=ANALYST).first()
    digest = (
        Digest.objects.filter(sector=PUBLISHED_SECTOR, status="published")
        .order_by("-week_start", "-version")
        .first()
    )
    if analyst is None or not analyst.is_analyst or digest is None:
        stdout.write("  skipped  board brief demo (no published demo digest)\n")
        return
    if BoardBrief.objects.filter(sector=digest.sector, week_start=digest.week_start).exists():
        return
    services.board_questions_save(
        digest=digest, analyst=analyst, questions_en=QUESTIONS_EN, questions_ja=QUESTIONS_JA
    )
    stdout.write(
        f"  created  board brief questions: {digest.sector}, week of {digest.week_start}\n"
    )
