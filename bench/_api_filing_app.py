"""WSGI app of the api_filing benchmark: the project's URLs plus one trivial authenticated DRF
endpoint (`/api/bench/ping/`, under /api/ like the filing endpoint, so the same middleware runs),
the baseline the filing endpoint is compared with in the same run."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccucaas_privacy.settings")
django.setup()
settings.ROOT_URLCONF = "bench._api_filing_app"

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from ccucaas_privacy.urls import urlpatterns as project_urlpatterns  # noqa: E402


class Ping(APIView):
    """Same authentication (token) and permission (IsAuthenticated) as the filing endpoint."""

    def get(self, request):
        return Response({"ok": True, "user": request.user.pk})


urlpatterns = [
    path("api/bench/ping/", Ping.as_view()),
    *project_urlpatterns,
]

application = get_wsgi_application()
