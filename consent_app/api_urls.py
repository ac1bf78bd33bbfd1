"""API URLs of this app (mounted under /api/v1/ by ccucaas_privacy/urls.py)."""

from django.urls import path

from consent_app import api

urlpatterns = [
    path("consents/", api.ConsentListApi.as_view(), name="api-consents"),
    path("consents/grant/", api.ConsentGrantApi.as_view(), name="api-consents-grant"),
    path("consents/withdraw/", api.ConsentWithdrawApi.as_view(), name="api-consents-withdraw"),
    path("consents/events/", api.ConsentEventListApi.as_view(), name="api-consents-events"),
    path("consents/receipts/<uuid:receipt_id>/", api.ConsentReceiptApi.as_view(),
         name="api-consents-receipt"),
    path("policies/", api.PolicyListApi.as_view(), name="api-policies"),
    path("policies/current/", api.PolicyCurrentApi.as_view(), name="api-policies-current"),
    path("policies/acceptances/", api.PolicyAcceptanceListApi.as_view(),
         name="api-policies-acceptances"),
    path("policies/<str:version>/", api.PolicyDetailApi.as_view(), name="api-policies-detail"),
    path("policies/<str:version>/accept/", api.PolicyAcceptApi.as_view(),
         name="api-policies-accept"),
]
