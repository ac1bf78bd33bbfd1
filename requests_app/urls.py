"""Portal URLs of this app (mounted under the language prefix by ccucaas_privacy/urls.py)."""

from django.urls import path

from requests_app import views

app_name = "requests"
urlpatterns: list = [
    path("requests/", views.request_list, name="list"),
    path("requests/new/", views.request_new, name="new"),
    path("requests/new/<str:type>/", views.request_new_of_type, name="new_of_type"),
    path("requests/<uuid:pk>/", views.request_detail, name="detail"),
    path("requests/<uuid:pk>/withdraw/", views.request_withdraw, name="withdraw"),
    path("requests/<uuid:pk>/package/<str:token>/", views.package_download,
         name="package_download"),
    path("help-desk/", views.helpdesk, name="helpdesk"),
    path("requests/verify/<str:token>/", views.verify, name="verify"),
    path("requests/verify/<str:token>/resend/", views.verify_resend, name="verify_resend"),
    # Issue 21 (APPI Art. 37(3)): the person objects to a representative's request.
    path("requests/object/<str:token>/", views.representative_objection,
         name="representative_objection"),
]
