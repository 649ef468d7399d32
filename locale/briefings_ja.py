"""Japanese for the briefing strings (issue 7), applied to locale/ja/LC_MESSAGES/django.po.

Run after `makemessages` (see README, "Weekly briefings"): it fills in only
entries whose msgid appears in the briefing files (or is listed in EXTRA) and
that are untranslated or fuzzy, and leaves every other entry as it is.

    .venv/bin/python locale/briefings_ja.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent / "ja" / "LC_MESSAGES" / "django.po"

MINE = (
    "intel/models/briefings.py",
    "intel/services/briefings/",
    "intel/selectors_briefings.py",
    "intel/briefing_compose.py",
    "intel/views/briefings.py",
    "intel/forms_briefings.py",
    "intel/urls_briefings.py",
    "intel/admin_briefings.py",
    "intel/benchmarks/briefings.py",
    "intel/briefings_demo.py",
    "templates/emails/briefing_",
    "templates/intel/briefings/",
    "templates/admin/intel/briefingweek/",
)
# Briefing strings that live in shared files.
EXTRA = {"Briefings"}

T: dict[str, str | tuple[str, str]] = {
    # Models
    "Waiting for confirmation": "確認待ち",
    "Active": "有効",
    "Paused: delivery keeps failing": "停止中：配信の失敗が続いています",
    "Unsubscribed": "配信停止済み",
    "email address": "メールアドレス",
    "member account": "メンバーアカウント",
    "sectors": "セクター",
    "language": "言語",
    "status": "状態",
    "clearance granted by an administrator": "管理者が付与したクリアランス",
    "Empty: TLP:CLEAR for the public, TLP:GREEN for vetted members.": (
        "空欄の場合：一般の購読者はTLP:CLEAR、審査済みメンバーはTLP:GREEN。"
    ),
    "granted by": "付与した人",
    "granted at": "付与日時",
    "confirmation sent at": "確認メール送信日時",
    "confirmed at": "確認日時",
    "unsubscribed at": "配信停止日時",
    "paused at": "停止日時",
    "consecutive permanent failures": "連続した恒久的な配信失敗",
    "created at": "作成日時",
    "updated at": "更新日時",
    "briefing subscription": "ブリーフィングの購読",
    "briefing subscriptions": "ブリーフィングの購読",
    "week starting": "週の開始日",
    "started at": "開始日時",
    "started by": "開始した人",
    "Empty when the weekly schedule started it.": "週次スケジュールが開始した場合は空欄。",
    "corrections carried": "掲載した訂正",
    "weekly briefing": "週次ブリーフィング",
    "weekly briefings": "週次ブリーフィング",
    "Pending": "待機中",
    "Sending": "送信中",
    "Sent": "送信済み",
    "Failed": "失敗",
    "Skipped": "スキップ",
    "subscription": "購読",
    "claimed at": "確保日時",
    "attempts": "試行回数",
    "sent at": "送信日時",
    "SMTP reply code": "SMTP応答コード",
    "last error": "最後のエラー",
    "sectors sent": "送信したセクター",
    "clearance applied": "適用したクリアランス",
    "resent by an administrator": "管理者による再送回数",
    "briefing delivery": "ブリーフィングの配信",
    "briefing deliveries": "ブリーフィングの配信",
    # Composition
    "Top item: %(title)s": "最重要項目：%(title)s",
    ", ": "、",
    "%(names)s and %(number)s more": "%(names)s ほか%(number)s件",
    "Weekly briefing, week of %(week)s: %(sectors)s": (
        "週次ブリーフィング（%(week)sの週）：%(sectors)s"
    ),
    # Views and forms
    "Too many requests from your network. Try again later.": (
        "お使いのネットワークからの申し込みが多すぎます。しばらくしてから再度お試しください。"
    ),
    "You are unsubscribed. No more briefings will be sent.": (
        "配信を停止しました。今後ブリーフィングは送信されません。"
    ),
    "Your subscription is active again.": "購読を再開しました。",
    "Your preferences are saved.": "設定を保存しました。",
    "Your briefing subscription is saved.": "ブリーフィングの購読を保存しました。",
    "Sectors": "セクター",
    "One briefing a week covers every sector you choose.": (
        "選んだすべてのセクターを週1回のブリーフィングでお届けします。"
    ),
    "Choose at least one sector.": "セクターを1つ以上選んでください。",
    "Language of the briefing": "ブリーフィングの言語",
    "Email address": "メールアドレス",
    "We send a link to this address; nothing is sent until you confirm.": (
        "このアドレスに確認用のリンクを送ります。確認が済むまで何も配信しません。"
    ),
    # Admin
    "Reason for the clearance change": "クリアランス変更の理由",
    "Required when the granted clearance changes; recorded in the audit trail.": (
        "付与するクリアランスを変更する場合は必須です。監査記録に残ります。"
    ),
    "Only a subscription linked to an account can hold a higher clearance.": (
        "より高いクリアランスを持てるのは、アカウントに紐づいた購読だけです。"
    ),
    "Give a reason for this decision.": "この判断の理由を記入してください。",
    "Week starting (a Monday)": "週の開始日（月曜日）",
    "A briefing week starts on a Monday.": "ブリーフィングの週は月曜日に始まります。",
    "sent": "送信済み",
    "failed": "失敗",
    "waiting": "未送信",
    "The briefing of the week of %(week)s is being sent; only unsent briefings go out.": (
        "%(week)sの週のブリーフィングを送信しています。未送信の分だけが送られます。"
    ),
    "Send now (only briefings not yet sent)": "今すぐ送信（未送信の分のみ）",
    "Send a weekly briefing now": "週次ブリーフィングを今すぐ送信",
    "Resend the selected briefings": "選択したブリーフィングを再送",
    "%(number)s briefing queued to be sent again.": (
        "%(number)s件のブリーフィングを再送待ちにしました。",
        "",
    ),
    "Briefings still waiting to be sent were left as they are.": (
        "まだ送信待ちのブリーフィングはそのままにしました。"
    ),
    "Send a week now": "週を今すぐ送信",
    "Home": "ホーム",
    "Sends the week's briefing to every active subscriber who has not received it. Running it again sends nothing twice.": (  # noqa: E501
        "その週のブリーフィングを、まだ受け取っていない有効な購読者全員に送信します。"
        "もう一度実行しても二重には送られません。"
    ),
    "Send now": "今すぐ送信",
    # Services
    "Only administrators send briefings.": "ブリーフィングを送信できるのは管理者だけです。",
    "No digest of the week of %(week)s is published yet; nothing to brief.": (
        "%(week)sの週のダイジェストはまだ公開されていないため、送るものがありません。"
    ),
    "Only administrators resend briefings.": "ブリーフィングを再送できるのは管理者だけです。",
    "Choose at least one sector from the list.": "一覧からセクターを1つ以上選んでください。",
    "Choose English or Japanese.": "英語か日本語を選んでください。",
    "Enter a valid email address.": "有効なメールアドレスを入力してください。",
    "Only vetted members subscribe from their account.": (
        "アカウントから購読できるのは審査済みのメンバーだけです。"
    ),
    "Only administrators grant clearance.": "クリアランスを付与できるのは管理者だけです。",
    "Choose a handling level.": "取り扱いレベルを選んでください。",
    # Emails
    "Someone, probably you, asked to receive the Community Intelligence Platform's weekly briefing at this address for:": (  # noqa: E501
        "このアドレスでコミュニティ・インテリジェンス・プラットフォームの週次ブリーフィングを"
        "受け取る申し込みがありました（おそらくご本人によるものです）。対象セクター："
    ),
    "Confirm the subscription:": "購読を確認する：",
    "The link works for %(days)s day. If you did not ask for this, ignore this email: nothing is sent without your confirmation.": (  # noqa: E501
        "このリンクの有効期間は%(days)s日です。お心当たりがない場合は、このメールを無視してください。"
        "確認がない限り何も配信されません。",
        "",
    ),
    "Someone, probably you, asked to subscribe this address to the weekly briefing. It is already subscribed, for:": (  # noqa: E501
        "このアドレスで週次ブリーフィングを購読する申し込みがありました（おそらくご本人によるものです）。"
        "このアドレスはすでに次のセクターを購読しています："
    ),
    "Change sectors or language, or unsubscribe:": "セクターや言語の変更、配信停止：",
    "If you did not ask for this, ignore this email: nothing has changed.": (
        "お心当たりがない場合は、このメールを無視してください。何も変更されていません。"
    ),
    "Your weekly briefing subscription": "週次ブリーフィングの購読について",
    "Handling: shown up to %(level)s. Share nothing above the level marked on each item.": (
        "取り扱い：%(level)sまでの情報を掲載しています。各項目に記されたレベルを超えて共有しないでください。"
    ),
    "Corrections": "訂正",
    "%(sector)s, week of %(week)s (corrected in version %(version)s):": (
        "%(sector)s、%(week)sの週（第%(version)s版で訂正）："
    ),
    "Read the corrected digest": "訂正後のダイジェストを読む",
    "Board summary": "取締役会向け要約",
    "Nothing was published for this sector this week.": (
        "この週、このセクターについて公開されたものはありません。"
    ),
    "Operational detail": "実務向けの詳細",
    "Analyst summary (%(level)s):": "アナリストによる要約（%(level)s）：",
    "Top items": "主な項目",
    "corroborated by %(counter)s organisation": ("%(counter)sの組織が裏付け", ""),
    "No items at your handling level this week.": (
        "この週、あなたの取り扱いレベルで見られる項目はありません。"
    ),
    "Case studies": "事例",
    "Full digest on the site": "サイトでダイジェスト全文を読む",
    "You receive this briefing because you subscribed to it.": (
        "このブリーフィングは、購読のお申し込みに基づいてお送りしています。"
    ),
    "Past briefings": "過去のブリーフィング",
    "Change sectors or language": "セクターや言語を変更",
    "Unsubscribe": "配信停止",
    "Full digest on the site:": "サイトでダイジェスト全文：",
    "Past briefings:": "過去のブリーフィング：",
    "Change sectors or language:": "セクターや言語の変更：",
    "Unsubscribe:": "配信停止：",
    "Confirm the subscription": "購読を確認する",
    "Confirm your weekly briefing subscription": "週次ブリーフィングの購読を確認してください",
    "Change sectors or language, or unsubscribe": "セクターや言語の変更、配信停止",
    # Pages
    "Briefings": "ブリーフィング",
    "Subscribe to the weekly briefing": "週次ブリーフィングを購読する",
    "Every Monday morning: a short board-level summary of the sectors you choose, then the week's top developments and case studies, in English or Japanese. Public subscribers receive what is marked TLP:CLEAR.": (  # noqa: E501
        "毎週月曜日の朝に、選んだセクターの取締役会向けの短い要約と、その週の主な動きや事例を"
        "英語または日本語でお届けします。一般の購読者にはTLP:CLEARの情報をお送りします。"
    ),
    "You are signed in as a member: subscribe from your account, with no confirmation email and your member clearance.": (  # noqa: E501
        "メンバーとしてサインインしています。アカウントから購読すると、確認メールは不要で、"
        "メンバーのクリアランスが適用されます。"
    ),
    "Subscribe from my account": "アカウントから購読する",
    "Subscribe": "購読する",
    "Read past briefings": "過去のブリーフィングを読む",
    "This link does not work": "このリンクは使えません",
    "The link has expired.": "リンクの有効期限が切れています。",
    "The link is incomplete or has been altered.": "リンクが不完全か、書き換えられています。",
    "Ask for a new one: enter your address on the subscription page and we email you a fresh link.": (  # noqa: E501
        "購読ページでアドレスを入力すると、新しいリンクをメールでお送りします。"
    ),
    "Subscription page": "購読ページ",
    "Briefing preferences": "ブリーフィングの設定",
    "For %(email)s.": "%(email)s の設定です。",
    "Delivery to this address kept failing, so we stopped sending. Resume once the mailbox accepts mail again.": (  # noqa: E501
        "このアドレスへの配信に失敗し続けたため、送信を停止しました。"
        "メールを受信できるようになったら再開してください。"
    ),
    "You are unsubscribed: no briefings are sent to this address.": (
        "配信停止中です。このアドレスにはブリーフィングを送信しません。"
    ),
    "Subscribe again": "購読を再開する",
    "Sectors and language": "セクターと言語",
    "Save preferences": "設定を保存",
    "Unsubscribe from the briefing": "ブリーフィングの配信を停止する",
    "Briefing, week of %(date)s": "ブリーフィング（%(date)sの週）",
    "All briefings": "すべてのブリーフィング",
    "Weekly briefing, week of %(date)s": "週次ブリーフィング（%(date)sの週）",
    "Shown up to %(level)s. Share nothing above the level marked on each item.": (
        "%(level)sまでの情報を表示しています。各項目に記されたレベルを超えて共有しないでください。"
    ),
    "Members see more once vetted.": "審査を経てメンバーになると、より多くの情報を見られます。",
    "Members: sign in to see what your clearance allows.": (
        "メンバーの方は、サインインするとクリアランスに応じた情報を見られます。"
    ),
    "Nothing is published for this week.": "この週に公開されたものはありません。",
    "Analyst summary (%(level)s)": "アナリストによる要約（%(level)s）",
    "Full digest": "ダイジェスト全文",
    "Check your inbox": "受信トレイを確認してください",
    "If the address can receive the briefing, we have sent it an email. Open the link in it to confirm your subscription (or to change an existing one). Nothing is sent to you before you confirm.": (  # noqa: E501
        "このアドレスがブリーフィングを受け取れる場合は、メールをお送りしました。"
        "メール内のリンクを開いて購読を確認（または既存の購読を変更）してください。"
        "確認が済むまで何も配信しません。"
    ),
    "Confirm your subscription": "購読を確認してください",
    "Subscription confirmed": "購読を確認しました",
    "%(email)s will receive the weekly briefing every Monday morning.": (
        "%(email)s に毎週月曜日の朝、週次ブリーフィングをお届けします。"
    ),
    "Send the weekly briefing to %(email)s for these sectors:": (
        "次のセクターの週次ブリーフィングを %(email)s に送ります："
    ),
    "Confirm subscription": "購読を確認する",
    "You are unsubscribed": "配信を停止しました",
    "No more briefings will be sent to %(email)s.": (
        "今後 %(email)s にブリーフィングは送信されません。"
    ),
    "Changed your mind? Subscribe again": "気が変わったら、もう一度購読できます",
    "Unsubscribe from the weekly briefing?": "週次ブリーフィングの配信を停止しますか？",
    "Stop sending the weekly briefing to %(email)s.": (
        "%(email)s への週次ブリーフィングの送信を停止します。"
    ),
    "My briefing subscription": "ブリーフィングの購読",
    "As a member you subscribe with your account's verified address, with no confirmation email. Your briefing shows items up to %(level)s.": (  # noqa: E501
        "メンバーはアカウントの確認済みアドレスで購読でき、確認メールは不要です。"
        "ブリーフィングには%(level)sまでの項目が掲載されます。"
    ),
    "Sent to %(email)s.": "送信先：%(email)s",
    "Save": "保存",
    "Weekly briefings": "週次ブリーフィング",
    "Past briefings as the public receives them (TLP:CLEAR). Members who sign in see what their clearance allows.": (  # noqa: E501
        "一般の購読者に届いた形（TLP:CLEAR）の過去のブリーフィングです。"
        "メンバーはサインインするとクリアランスに応じた内容を見られます。"
    ),
    "Past briefings, shown up to your clearance.": (
        "あなたのクリアランスまでの内容で表示した過去のブリーフィングです。"
    ),
    "My subscription": "自分の購読",
    "Week of %(date)s": "%(date)sの週",
    "No briefing has been sent yet.": "まだブリーフィングは送信されていません。",
    "Subscribing from an account is for vetted members. Anyone can subscribe by email to the public briefing.": (  # noqa: E501
        "アカウントからの購読は審査済みメンバー向けです。一般向けのブリーフィングは、"
        "どなたでもメールアドレスで購読できます。"
    ),
    "Subscribe by email": "メールアドレスで購読する",
}


def mine(entry: polib.POEntry) -> bool:
    if entry.msgid in EXTRA:
        return True
    return any(path.startswith(MINE) for path, _line in entry.occurrences)


def main() -> int:
    catalogue = polib.pofile(str(CATALOGUE))
    missing = []
    for entry in catalogue:
        if entry.obsolete or not mine(entry):
            continue
        if entry.translated() and "fuzzy" not in entry.flags:
            continue  # someone's translation of a shared string stays
        translation = T.get(entry.msgid)
        if translation is None:
            missing.append(entry.msgid)
            continue
        if entry.msgid_plural:
            singular = translation[0] if isinstance(translation, tuple) else translation
            entry.msgstr_plural = {0: singular}
        else:
            entry.msgstr = translation if isinstance(translation, str) else translation[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalogue.save()
    for msgid in missing:
        print(f"no Japanese for: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
