"""Public notice pages (P17): merger and acquisition notices, and published announcements."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from notifications_app.models import Campaign
from notifications_app.selectors import campaigns as selectors
from notifications_app.services.campaigns import jst_display


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _notice(campaign: Campaign, language: str) -> dict:
    return {"public_id": campaign.public_id, "kind": campaign.kind,
            "title": campaign.title_for(language), "body": campaign.body_for(language),
            "effective_date": jst_display(campaign.effective_at, language)
            if campaign.effective_at else "",
            "published_date": jst_display(campaign.started_at, language)}


def notice_list(request: HttpRequest) -> HttpResponse:
    language = _language()
    notices = [_notice(c, language) for c in selectors.merger_notices_published()]
    return render(request, "notifications_app/notice_list.html", {"notices": notices})


def notice_detail(request: HttpRequest, public_id) -> HttpResponse:
    try:
        campaign = selectors.notice_get(public_id=public_id)
    except Campaign.DoesNotExist:
        raise Http404 from None
    return render(request, "notifications_app/notice_detail.html",
                  {"notice": _notice(campaign, _language())})
