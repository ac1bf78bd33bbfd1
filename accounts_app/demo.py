"""Demo accounts and their personal data for `manage.py seed_demo`. Idempotent.

officer (superuser); alice and bob sign up through the real service (policy accepted, storage
outside Japan consented, P01/P07), then get contacts, files, usage, visitor logs, a payment
reference and a forum post. Anything already there is left as it is.
"""

from datetime import timedelta
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts_app.models import User, VisitorLog
from accounts_app.services import data as services_data
from accounts_app.services.accounts import account_sign_up, user_create
from ccucaas_privacy import clock

DEMO_PASSWORD = "ccucaas-demo-2026"  # noqa: S105 - demo data, printed by `make run`
DEMO_ACCOUNTS = [
    # username, email, language, is_superuser, role
    ("officer", "officer@ccucaas.example", "ja", True, "privacy officer (superuser)"),
    ("alice", "alice@example.jp", "ja", False, "user (Japanese)"),
    ("bob", "bob@example.com", "en", False, "user (English)"),
]

DEMO_DATA = {
    "alice": {
        "contacts": [("山田 太郎", "taro.yamada@example.jp", "東京都千代田区丸の内1-1-1", "03-1234-5678"),
                     ("佐藤 花子", "hanako.sato@example.jp", "大阪府大阪市北区梅田2-2-2", "06-2345-6789")],
        "files": [("見積書_2026.pdf", b"%PDF-1.4 demo quote\n", "us-west-2"),
                  ("議事録.txt", "11月の定例会議の議事録\n".encode(), "ap-northeast-1")],
        "payment": {"processor": "PayFlow", "processor_token": "pf_cus_A1ice7Demo",
                    "brand": "Visa", "last4": "4242", "exp_month": 8, "exp_year": 2029},
        "post": ("ハイブリッド会議のコツ", "ヘッドセットを使うと音声が聞き取りやすくなります。"),
        "agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                 "Gecko) Chrome/131.0.0.0 Safari/537.36",
        "accept_language": "ja,en-US;q=0.8",
    },
    "bob": {
        "contacts": [("Carol Jones", "carol@example.com", "1 Main St, Springfield", "+1-555-0100")],
        "files": [("roadmap.md", b"# Roadmap\n- Q1: CCUCaaS rollout\n", "eu-central-1")],
        "payment": {"processor": "PayFlow", "processor_token": "pf_cus_B0bDemo",
                    "brand": "Mastercard", "last4": "4444", "exp_month": 3, "exp_year": 2028},
        "post": ("Noise cancelling on calls", "Turning on noise suppression helped a lot."),
        "agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, "
                 "like Gecko) Version/17.5 Safari/605.1.15",
        "accept_language": "en-GB,en;q=0.9",
    },
}


def seed(stdout: TextIO) -> None:
    for username, email, language, is_superuser, role in DEMO_ACCOUNTS:
        user = User.objects.filter(username__iexact=username).first()
        if user is not None:
            stdout.write(f"  {username:<8} {role}: already there\n")
        elif is_superuser:
            user = user_create(username=username, email=email, password=DEMO_PASSWORD,
                               language=language, is_superuser=True)
            stdout.write(f"  {username:<8} {role}: created\n")
        else:
            user = account_sign_up(username=username, email=email, password=DEMO_PASSWORD,
                                   language=language, accept_policy=True,
                                   consent_cross_border_storage=True,
                                   marketing_email=username == "alice")
            stdout.write(f"  {username:<8} {role}: signed up\n")
        if username in DEMO_DATA:
            _seed_personal_data(user, DEMO_DATA[username], stdout)


def _seed_personal_data(user: User, data: dict, stdout: TextIO) -> None:
    if user.contacts.exists():
        return
    for name, email, address, phone in data["contacts"]:
        services_data.contact_create(user=user, name=name, email=email, postal_address=address,
                                     phone=phone)
    for name, content, region in data["files"]:
        services_data.content_file_create(user=user, upload=SimpleUploadedFile(name, content),
                                          storage_region=region)
    services_data.payment_reference_create(user=user, **data["payment"])
    services_data.forum_post_create(user=user, title=data["post"][0], body=data["post"][1],
                                    published=True)
    for feature in ("contacts", "contacts", "profile_edit"):
        services_data.usage_record(user=user, feature=feature)
    now = clock.now()
    services_data.visitor_logs_write(entries=[
        {"user_id": user.pk, "occurred_at": now - timedelta(hours=hours), "ip": "203.0.113.10",
         "browser": browser, "os": os, "language": data["accept_language"],
         "referrer": "https://www.example.jp/", "method": "GET", "path": path,
         "status_code": status, "time_zone": "Asia/Tokyo", "user_agent": data["agent"]}
        for hours, path, status, (browser, os) in [
            (30, "/", 200, _agent(data["agent"])),
            (29, "/account/", 200, _agent(data["agent"])),
            (2, "/account/contacts/", 200, _agent(data["agent"])),
            (1, "/account/missing/", 404, _agent(data["agent"])),
        ]
    ])
    services_data.usage_rollup(day=clock.jst_date(now))
    stdout.write(f"           {user.username}: contacts, files, usage, visitor log "
                 f"({VisitorLog.objects.filter(user=user).count()}), payment reference, post\n")


def _agent(user_agent: str) -> tuple[str, str]:
    from accounts_app.useragent import agent_parse

    parsed = agent_parse(user_agent)
    return parsed.browser, parsed.os


# Demo staff second factor (issue 9 requires TOTP for the admin). Fixed, printed secrets so a
# newcomer can open the admin right after `make run`; never use these outside the demo.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test key
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_RECOVERY_CODES = [f"demo{n:02d}" for n in range(1, 11)]
DEMO_STAFF = ("officer", "agent")


def seed_staff_second_factor(stdout: TextIO) -> None:
    """Give the demo staff a confirmed authenticator and topped-up recovery codes."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts_app.services.staff import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME

    for user in User.objects.filter(username__in=DEMO_STAFF):
        TOTPDevice.objects.get_or_create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=True, defaults={"key": DEMO_TOTP_KEY_HEX})
        static, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
        have = set(static.token_set.values_list("token", flat=True))
        StaticToken.objects.bulk_create(
            StaticToken(device=static, token=code) for code in DEMO_RECOVERY_CODES if code not in have)
        stdout.write(f"  {user.username:<8} admin second factor: authenticator key "
                     f"{DEMO_TOTP_KEY_BASE32}, recovery codes demo01-demo10\n")
