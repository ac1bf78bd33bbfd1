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
