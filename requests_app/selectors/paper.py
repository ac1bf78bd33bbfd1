"""The readable version of a disclosure package, for printing (書面の交付, APPI Art. 33(1)):
every category of the person's data with its rows, as the ZIP's CSV files hold them."""

from typing import Any

from django.utils import translation

from ccucaas_privacy.datasources import all_sources
from ccucaas_privacy.rules import enforces
from requests_app.models import DataSubjectRequest, PaperMailing


def paper_mailings_open():
    return PaperMailing.objects.filter(recorded_at__isnull=True).select_related("request")


@enforces("APPI-33")
def paper_readable_content(*, request: DataSubjectRequest) -> dict[str, Any]:
    """{"reference", "categories": [{"title", "description", "columns", "rows"}], "withheld"}
    in the request's language. The caller logs the staff view (P18)."""
    from requests_app.services.packages import _withheld_section

    user = request.subject
    with translation.override(request.language):
        categories = []
        for source in sorted(all_sources(), key=lambda s: s.category):
            rows = [[row.get(c, "") for c in source.columns] for row in source.export(user)] \
                if user is not None else []
            categories.append({"title": str(source.title), "description": str(source.description),
                               "columns": list(source.columns), "rows": rows})
        return {"reference": request.reference, "categories": categories,
                "withheld": _withheld_section(request)}
