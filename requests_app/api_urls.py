"""API URLs of this app (mounted under /api/v1/ by ccucaas_privacy/urls.py)."""

from django.urls import path

from requests_app import api

urlpatterns: list = [
    path("requests/", api.RequestListCreateView.as_view(), name="api-requests"),
    path("requests/<str:pk>/", api.RequestDetailView.as_view(), name="api-request-detail"),
    path("requests/<str:pk>/withdraw/", api.RequestWithdrawView.as_view(),
         name="api-request-withdraw"),
    path("staff/requests/", api.StaffRequestListView.as_view(), name="api-staff-requests"),
    path("staff/requests/<str:pk>/", api.StaffRequestDetailView.as_view(),
         name="api-staff-request-detail"),
    path("staff/requests/<str:pk>/assign/", api.StaffAssignView.as_view(),
         name="api-staff-request-assign"),
    path("staff/requests/<str:pk>/verify-identity/", api.StaffVerifyIdentityView.as_view(),
         name="api-staff-request-verify-identity"),
    path("staff/requests/<str:pk>/reply/", api.StaffReplyView.as_view(),
         name="api-staff-request-reply"),
    path("staff/requests/<str:pk>/reject/", api.StaffRejectView.as_view(),
         name="api-staff-request-reject"),
]
