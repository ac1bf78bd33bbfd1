# ruff: noqa: RUF001 - Japanese text uses full-width punctuation on purpose.
"""Fill the Japanese catalogue of notifications_app (run after makemessages)."""

import sys
from pathlib import Path

import polib

JA = {
    "Retry the selected failed emails": "選択した送信失敗メールを再送する",
    "Notifications": "通知",
    "Mandatory": "必須",
    "Marketing": "お知らせ（任意）",
    "Queued": "送信待ち",
    "Sending": "送信中",
    "Sent": "送信済み",
    "Failed": "送信失敗",
    "Suppressed": "送信停止",
    "Delivered": "配信済み",
    "Bounced": "不達（バウンス）",
    "Rejected": "拒否",
    "Complained (marked as spam)": "迷惑メール報告",
    "public ID": "公開ID",
    "recipient user": "宛先ユーザー",
    "recipient email": "宛先メールアドレス",
    "kind": "種類",
    "category": "区分",
    "language": "言語",
    "cause": "送信理由",
    "context": "差し込みデータ",
    "idempotency key": "重複防止キー",
    "status": "状態",
    "attempts": "送信試行回数",
    "last error": "直近のエラー",
    "reason for suppression": "送信停止の理由",
    "provider message ID": "配信事業者のメッセージID",
    "delivery tracking": "配信状況",
    "delivery tracking detail": "配信状況の詳細",
    "tracked at": "配信状況の記録日時",
    "needs staff attention": "担当者の対応が必要",
    "created at": "作成日時",
    "updated at": "更新日時",
    "next attempt at": "次回送信予定日時",
    "claimed at": "送信開始日時",
    "sent at": "送信日時",
    "outbound email": "送信メール",
    "outbound emails": "送信メール",
    "The recipient has no email address; nothing was queued.":
        "宛先のメールアドレスがありません。メールは登録されていません。",
    "“%(email)s” is not a valid email address; nothing was queued.":
        "「%(email)s」は有効なメールアドレスではありません。メールは登録されていません。",
    "The email context must be a JSON object; nothing was queued.":
        "メールの差し込みデータはJSONオブジェクトである必要があります。メールは登録されていません。",
    "The email context is not JSON-serialisable (%(error)s); pass strings, numbers, lists and "
    "objects. Nothing was queued.":
        "メールの差し込みデータをJSONに変換できません（%(error)s）。文字列・数値・リスト・"
        "オブジェクトを渡してください。メールは登録されていません。",
    "The email context changes in a JSON round trip (tuples, non-string keys); pass plain JSON "
    "values. Nothing was queued.":
        "メールの差し込みデータがJSONへの変換で変わってしまいます（タプル、文字列以外のキーなど）。"
        "JSONの値だけを渡してください。メールは登録されていません。",
    "The email context is %(size)d bytes; the limit is %(limit)d. Nothing was queued.":
        "メールの差し込みデータが%(size)dバイトあり、上限の%(limit)dバイトを超えています。"
        "メールは登録されていません。",
    "Marketing email goes only to accounts with marketing consent.":
        "お知らせメールは、受信に同意したアカウントにのみ送信します。",
    "The account is not active.": "アカウントが有効ではありません。",
    "The user has not consented to marketing email (or withdrew it).":
        "ユーザーがお知らせメールの受信に同意していません（または同意を撤回しました）。",
    "Unknown email kind “%(kind)s”; register it with notifications_app.kinds.register_kind.":
        "メールの種類「%(kind)s」は登録されていません。notifications_app.kinds.register_kind "
        "で登録してください。",
    "Every email needs a cause of at most 255 characters.":
        "メールには255文字以内の送信理由が必要です。",
    "The templates of email kind “%(kind)s” are missing or broken (%(error)s); nothing was "
    "queued.":
        "メールの種類「%(kind)s」のテンプレートがないか、誤りがあります（%(error)s）。"
        "メールは登録されていません。",
    "Only failed emails can be retried.": "再送できるのは送信に失敗したメールだけです。",
    "The user unsubscribed from marketing email.": "ユーザーがお知らせメールの配信を停止しました。",
    "Administrative notice": "重要なお知らせ",
    "Effective date": "適用日",
    "Details": "詳細",
    "This is an administrative notice about your account. It is sent to every user and cannot "
    "be unsubscribed from.":
        "このメールはアカウントに関する重要なお知らせです。すべてのユーザーにお送りしており、"
        "配信を停止することはできません。",
    "CCUCaaS": "CCUCaaS",
    "Dear %(recipient_name)s,": "%(recipient_name)s 様",
    "CCArchitect Co., Ltd.": "CCアーキテクト株式会社",
    "CCUCaaS Privacy": "CCUCaaS プライバシー",
    "You receive this because you agreed to receive news about our services. You can stop it at "
    "any time:":
        "このメールは、サービスに関するお知らせの受信に同意いただいた方にお送りしています。"
        "配信はいつでも停止できます：",
    "Unsubscribe from news emails": "お知らせメールの配信停止",
    "News": "お知らせ",
    "Date": "日時",
    "Learn more": "詳しく見る",
    "You will no longer receive emails about new services, releases and events.":
        "新サービス・リリース・イベントに関するお知らせメールは今後届きません。",
    "Administrative notices and notices of changes to the privacy policy are still sent: they "
    "are mandatory.":
        "サービスに関する重要なお知らせとプライバシーポリシー変更のお知らせは、"
        "必須のため引き続きお送りします。",
    "Unsubscribe": "配信を停止する",
    "You are unsubscribed": "配信を停止しました",
    "You can subscribe again at any time in your account settings.":
        "アカウント設定からいつでも再開できます。",
    "Invalid unsubscribe link": "配信停止リンクが無効です",
    "Nothing was changed.": "何も変更されていません。",
    "This unsubscribe link is not valid. It may have been changed or cut off; use the link from "
    "the email exactly as it is, or change your choice in account settings.":
        "この配信停止リンクは無効です。リンクが書き換えられたか、途中で切れている可能性があります。"
        "メールに記載のリンクをそのままお使いいただくか、アカウント設定から変更してください。",
}
JA_PLURAL = {
    "%(count)d email queued again.": "%(count)d 件のメールを再送待ちにしました。",
    "%(count)d email was skipped: only failed emails can be retried.":
        "%(count)d 件のメールはスキップしました。再送できるのは送信に失敗したメールだけです。",
}


# Campaigns (issue 10).
JA.update({
    "coverage": "到達状況",
    "recipients": "対象者数",
    "sent": "送信済み",
    "sent 30 days ahead": "30日前までに送信",
    "pending": "送信待ち",
    "failed": "送信失敗",
    "bounced or rejected": "不達・拒否",
    "not reached": "未到達",
    "%(campaign)s: done.": "%(campaign)s: 実行しました。",
    "Start the selected draft campaigns": "選択した下書きのキャンペーンを開始する",
    "Restart: send what is missing": "再実行（未送信分のみ送信）",
    "Acknowledge incomplete coverage (30-day line)": "未到達があることを確認済みとする（30日前の期限）",
    "Acknowledged in the admin by %(user)s.": "%(user)s が管理画面で確認しました。",
    "Only privacy officers may do this.": "この操作は個人情報保護責任者のみが行えます。",
    "Policy-change campaigns start when a major policy version is published; create merger "
    "notices or marketing campaigns here.":
        "ポリシー変更の通知は、重要な変更を含むポリシー版を公表すると自動的に開始されます。"
        "ここでは合併等の事前通知またはお知らせメールを作成してください。",
    "Every recipient reads the campaign in their language: give the title and the text in "
    "Japanese and English.":
        "受信者はそれぞれの言語で読みます。件名と本文を日本語と英語の両方で入力してください。",
    "Give the date the change of control takes effect.": "管理者の変更が効力を生じる日時を入力してください。",
    "A merger notice is a prior notice: the date must be in the future.":
        "合併等の通知は事前の通知です。日時は将来の日時にしてください。",
    "This campaign has already been started.": "このキャンペーンはすでに開始されています。",
    "Version %(version)s already has its notice campaign.":
        "第%(version)s版の通知キャンペーンはすでにあります。",
    "Start the campaign first.": "先にキャンペーンを開始してください。",
    "Say why the incomplete coverage is acceptable.": "未到達があっても差し支えない理由を記入してください。",
    "Only policy-change campaigns have an effective date to postpone.":
        "施行日を延期できるのはポリシー変更の通知だけです。",
    "The new effective date must leave 30 days (30 x 24 hours) from now: choose %(earliest)s "
    "or later.":
        "新しい施行日時は現在から30日（30×24時間）以上先にしてください。%(earliest)s 以降を選んでください。",
    "Version %(version)s already takes effect on or after this date.":
        "第%(version)s版がこの日時以降に施行されることになっています。",
    "Notices and campaigns sent to you": "お客様にお送りしたお知らせ・キャンペーン",
    "Policy-change notices, merger notices and news campaigns: which campaign, when it was "
    "queued and sent, and its status.":
        "ポリシー変更・合併等のお知らせと新サービス等のお知らせ：どのお知らせを、いつ送信登録・送信したか、"
        "およびその状態。",
    "Postponing moves the date later.": "延期では施行日時を現在より後にしてください。",
    "Policy change (P25)": "ポリシー変更の通知（P25）",
    "Merger or acquisition notice (P17)": "合併・買収等の事前通知（P17）",
    "Releases and events (marketing, P02)": "リリース・イベントのお知らせ（任意、P02）",
    "Draft": "下書き",
    "Running": "実行中",
    "Finished": "完了",
    "policy version": "ポリシー版",
    "title (Japanese)": "件名（日本語）",
    "title (English)": "件名（英語）",
    "text (Japanese)": "本文（日本語）",
    "text (English)": "本文（英語）",
    "effective at": "施行日時",
    "batch size": "バッチサイズ",
    "created by": "作成者",
    "started at": "開始日時",
    "finished at": "完了日時",
    "batches planned at": "バッチ分割日時",
    "needs an officer's decision": "責任者の判断が必要",
    "campaign": "キャンペーン",
    "campaigns": "キャンペーン",
    "recipient": "受信者",
    "queued at": "送信登録日時",
    "delivery": "配信",
    "deliveries": "配信",
    "31 days before: notices still unsent": "施行31日前：未送信の通知あり",
    "30-day line: coverage incomplete": "施行30日前の期限：未到達あり",
    "unsent notices": "未送信の通知数",
    "campaign alert": "キャンペーン警告",
    "campaign alerts": "キャンペーン警告",
    "Started": "開始",
    "Restarted": "再実行",
    "Incomplete coverage acknowledged": "未到達を確認済み",
    "Effective date postponed": "施行日を延期",
    "by": "実施者",
    "note": "メモ",
    "data": "データ",
    "campaign event": "キャンペーン履歴",
    "campaign events": "キャンペーン履歴",
    "Emails sent to you": "お客様にお送りしたメール",
    "The notices and messages we emailed you: kind, address, language, status and time.":
        "お客様にメールでお送りしたお知らせ等：種類、宛先、言語、状態、日時。",
    "Last moment to send the notice (30 days before)": "通知の送信期限（施行の30日前）",
    "The 30-day line has passed with coverage incomplete. Acknowledge the incomplete coverage "
    "with a reason, or postpone the effective date, in the admin.":
        "施行30日前の期限を過ぎましたが、通知が届いていない利用者がいます。"
        "管理画面で理由を記入して確認済みとするか、施行日を延期してください。",
    "Open the campaign": "キャンペーンを開く",
    "Prior notice": "事前のお知らせ",
    "Prior notice of a change to who controls your personal data":
        "個人情報の管理者の変更に関する事前のお知らせ",
    "Takes effect on": "効力発生日",
    "Notice on our website": "ウェブサイトでのお知らせ",
    "If you do not agree, you may stop using the service before %(effective_date)s by closing "
    "your account:":
        "ご同意いただけない場合は、%(effective_date)s より前にアカウントを解約して、"
        "本サービスのご利用を停止いただけます：",
    "Close my account": "アカウントを解約する",
    "This notice is sent to every user and cannot be unsubscribed from.":
        "このお知らせはすべての利用者にお送りしており、配信を停止することはできません。",
    "Privacy policy change": "プライバシーポリシー改定のお知らせ",
    "Version %(version)s takes effect on %(effective_date)s":
        "第%(version)s版は %(effective_date)s に施行されます",
    "Summary of the changes": "主な変更点",
    "Read the new version and the summary of changes": "改定後のポリシーと変更点の概要を読む",
    "If you continue to use the service after the effective date, you are deemed to agree to "
    "the new policy.":
        "施行日以降も本サービスをご利用いただいた場合は、改定後のポリシーに同意いただいたものとみなします。",
    "This notice about a change to the privacy policy is sent to every user and cannot be "
    "unsubscribed from.":
        "プライバシーポリシー変更のお知らせはすべての利用者にお送りしており、配信を停止することはできません。",
    "Important: our privacy policy changes on %(effective_date)s":
        "【重要】プライバシーポリシー改定のお知らせ（%(effective_date)s 施行）",
    "We are changing our privacy policy. Version %(version)s takes effect on "
    "%(effective_date)s.":
        "プライバシーポリシーを改定いたします。第%(version)s版は %(effective_date)s に施行されます。",
    "Published": "公表日",
    "If you do not agree, you may stop using the service before the change takes effect by "
    "closing your account.":
        "ご同意いただけない場合は、変更の効力が生じる前にアカウントを解約して、本サービスのご利用を停止いただけます。",
    "All notices": "お知らせ一覧",
    "Notices": "お知らせ",
    "Prior notices of changes to who controls your personal data or how it is used (mergers, "
    "acquisitions).":
        "合併・買収等により、個人情報の管理者や利用方法が変わる場合の事前のお知らせです。",
    "published": "公表",
    "takes effect on": "効力発生",
    "There are no notices.": "お知らせはありません。",
})
JA_PLURAL.update({
    "%(counter)s user has not been sent the notice of %(campaign)s yet.":
        "%(counter)s 人の利用者に %(campaign)s の通知がまだ送信されていません。",
    "%(counter)s policy notice still unsent: %(campaign)s":
        "未送信のポリシー通知 %(counter)s 件：%(campaign)s",
})


def main() -> int:
    path = Path(__file__).parent / "ja" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            if entry.msgid in JA_PLURAL:
                entry.msgstr_plural = {0: JA_PLURAL[entry.msgid]}
            else:
                missing.append(entry.msgid)
        elif entry.msgid in JA:
            entry.msgstr = JA[entry.msgid]
        else:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.metadata_is_fuzzy = False
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save()
    for lang in ("ja", "en"):
        catalogue = polib.pofile(str(path.parents[2] / lang / "LC_MESSAGES" / "django.po"))
        catalogue.metadata_is_fuzzy = False
        catalogue.save()
        catalogue.save_as_mofile(str(path.parents[2] / lang / "LC_MESSAGES" / "django.mo"))
    print("\n".join(missing), file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
