"""API URLs of this app (mounted under /api/v1/ by ccucaas_privacy/urls.py)."""

from django.urls import path

from notifications_app import api

urlpatterns: list = [
    path("staff/policies/", api.PolicyPublishApi.as_view(), name="api-staff-policy-publish"),
    path("staff/campaigns/", api.CampaignListApi.as_view(), name="api-staff-campaigns"),
    path("staff/campaigns/<uuid:public_id>/", api.CampaignDetailApi.as_view(),
         name="api-staff-campaign"),
    path("staff/campaigns/<uuid:public_id>/acknowledge/", api.CampaignAcknowledgeApi.as_view(),
         name="api-staff-campaign-acknowledge"),
    path("staff/campaigns/<uuid:public_id>/postpone/", api.CampaignPostponeApi.as_view(),
         name="api-staff-campaign-postpone"),
]
