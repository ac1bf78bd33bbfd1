"""Portal URLs of this app (mounted under the language prefix by ccucaas_privacy/urls.py)."""

from django.urls import path

from consent_app import views

app_name = "consent"
urlpatterns = [
    path("account/consents/", views.consent_settings, name="settings"),
    path("account/consents/grant/", views.consent_grant, name="grant"),
    path("account/consents/withdraw/", views.consent_withdraw, name="withdraw"),
    path("account/consents/receipts/<uuid:receipt_id>.json", views.consent_receipt,
         name="receipt"),
    path("policy/", views.policy_current, name="policy_current"),
    path("policy/history/", views.policy_history, name="policy_history"),
    path("policy/banner/dismiss/", views.policy_banner_dismiss, name="policy_banner_dismiss"),
    path("policy/v/<str:version>/", views.policy_detail, name="policy_detail"),
    path("policy/v/<str:version>/accept/", views.policy_accept, name="policy_accept"),
    path("testimonials/", views.testimonials_public, name="testimonials"),
]
