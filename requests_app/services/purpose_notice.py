"""Answering a notice of the purposes of use (利用目的の通知, APPI Art. 32(2); issue 21): the
reply lists each category of the person's data with its purposes, in the person's language;
no package is needed."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation

from ccucaas_privacy.errors import ConflictError
from ccucaas_privacy.rules import enforces
from requests_app.models import DataSubjectRequest, RequestType
from requests_app.selectors.purposes import purpose_notice_categories


def purpose_notice_text(request: DataSubjectRequest) -> str:
    with translation.override(request.language):
        return render_to_string("requests_app/replies/purpose_notice.txt", {
            "categories": purpose_notice_categories(language=request.language)}).strip()


@enforces("APPI-32")
def purpose_notice_reply(*, request: DataSubjectRequest, actor,
                         now: datetime | None = None) -> DataSubjectRequest:
    """Reply to a `purpose_notice` request from the registries (staff or automation)."""
    from requests_app.services.transitions import request_reply

    if request.type != RequestType.PURPOSE_NOTICE:
        raise ConflictError("Only a notice of the purposes of use is answered this way.",
                            code="not_a_purpose_notice")
    return request_reply(request=request, actor=actor, text=purpose_notice_text(request), now=now)
