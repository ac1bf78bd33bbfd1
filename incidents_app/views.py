"""The public notice of an incident (公表), once the officers published it. Reads only."""

from django.shortcuts import render
from django.utils.translation import get_language

from incidents_app import selectors


def notice(request, public_id):
    incident = selectors.incident_published(public_id=public_id)
    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    return render(request, "incidents_app/notice.html", {
        "incident": incident, "texts": incident.notice.get(language) or incident.notice["ja"]})
