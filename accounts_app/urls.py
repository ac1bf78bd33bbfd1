"""Portal URLs of this app (mounted under the language prefix by ccucaas_privacy/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts_app import views, views_auth, views_data, views_staff

app_name = "accounts"
urlpatterns = [
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-up/sent/", views_auth.sign_up_sent, name="sign-up-sent"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm-email"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts_app/password_reset_done.html"), name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts_app/password_reset_complete.html"),
        name="password-reset-complete"),
    path("account/", views.account_settings, name="settings"),
    path("account/profile/", views.profile_edit, name="profile"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/logins/<uuid:public_id>/revoke/", views.persistent_login_revoke,
         name="login-revoke"),
    path("account/logins/revoke-all/", views.persistent_logins_revoke_all,
         name="logins-revoke-all"),
    path("account/close/", views.account_close, name="close"),
    # Issue 17: email change confirmed by the new address, undone by the old one.
    path("account/email/", views_auth.email_change, name="email-change"),
    path("email-change/<str:token>/confirm/", views_auth.email_change_confirm,
         name="email-change-confirm"),
    path("email-change/<str:token>/undo/", views_auth.email_change_undo,
         name="email-change-undo"),
    path("account/sign-out-everywhere/", views_auth.sign_out_everywhere,
         name="sign-out-everywhere"),
    path("account/contacts/", views_data.contacts, name="contacts"),
    path("account/contacts/new/", views_data.contact_edit, name="contact-new"),
    path("account/contacts/import/", views_data.contacts_import, name="contacts-import"),
    path("account/contacts/<uuid:public_id>/", views_data.contact_edit, name="contact-edit"),
    path("account/contacts/<uuid:public_id>/delete/", views_data.contact_delete,
         name="contact-delete"),
    path("account/files/", views_data.content_files, name="files"),
    path("account/files/<uuid:public_id>/download/", views_data.content_file_download,
         name="file-download"),
    path("account/files/<uuid:public_id>/delete/", views_data.content_file_delete,
         name="file-delete"),
    path("account/posts/", views_data.forum_posts, name="posts"),
    path("account/posts/new/", views_data.forum_post_edit, name="post-new"),
    path("account/posts/<uuid:public_id>/", views_data.forum_post_edit, name="post-edit"),
    path("account/posts/<uuid:public_id>/delete/", views_data.forum_post_delete,
         name="post-delete"),
    # Staff: second factor for the admin, and the P18 reason form.
    path("staff/two-factor/", views_staff.two_factor_verify, name="staff-2fa"),
    path("staff/two-factor/setup/", views_staff.two_factor_setup, name="staff-2fa-setup"),
    path("staff/access-reason/", views_staff.access_reason, name="staff-access-reason"),
]
