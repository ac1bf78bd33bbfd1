"""P24: the help desk (相談窓口) answers questions about the policy, including from people who
cannot sign in; the answer is recorded and emailed."""

import pytest

from notifications_app.models import OutboundEmail
from requests_app.models import RequestEvent, Status
from requests_app.services.filing import request_file
from requests_app.services.transitions import request_reply
from requests_app.services.verification import request_verify_identity

pytestmark = pytest.mark.django_db


def test_p24_a_question_about_the_policy_is_recorded_answered_and_emailed(officer):
    request, _sent = request_file(
        type="inquiry", channel="helpdesk", language="ja",
        details={"subject": "プライバシーポリシーについて", "message": "国外保管の範囲を教えてください。"},
        subject_name="山田 花子", subject_email="hanako@example.jp", actor=officer)
    assert request.status == Status.AWAITING_VERIFICATION
    request_verify_identity(request=request, actor=officer, note="電話で本人確認")
    request_reply(request=request, actor=officer, text="アカウントのデータは米国のデータセンターにも保管されます。")
    request.refresh_from_db()
    assert request.status == Status.COMPLETED  # an inquiry is completed by its answer
    assert request.reply_text.startswith("アカウントのデータは")
    actions = list(RequestEvent.objects.filter(request=request).values_list("action", flat=True))
    assert actions[-2:] == ["reply", "complete"]
    assert OutboundEmail.objects.filter(recipient_email="hanako@example.jp",
                                        kind="request_replied").exists()
