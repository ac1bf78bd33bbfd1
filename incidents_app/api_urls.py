"""API URLs of the incident register (mounted under /api/v1/)."""

from django.urls import path

from incidents_app import api

urlpatterns: list = [
    path("staff/incidents/", api.IncidentListCreateView.as_view(), name="api-staff-incidents"),
    path("staff/incidents/<str:pk>/", api.IncidentDetailView.as_view(),
         name="api-staff-incident-detail"),
    path("staff/incidents/<str:pk>/reports/<str:stage>/", api.IncidentReportView.as_view(),
         name="api-staff-incident-report"),
    path("staff/incidents/<str:pk>/reports/<str:stage>/submit/",
         api.IncidentReportSubmitView.as_view(), name="api-staff-incident-report-submit"),
]
