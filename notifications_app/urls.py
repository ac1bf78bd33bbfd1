"""Portal URLs of this app (mounted under the language prefix by ccucaas_privacy/urls.py)."""

from django.urls import path

from notifications_app import views_notices

app_name = "notifications"
urlpatterns: list = [
    # P17: merger and acquisition notices on the website, beside the email.
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/<uuid:public_id>/", views_notices.notice_detail, name="notice"),
]
