"""Django's password reset pages, with every request and change written to the audit log."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpResponse

from groundswell.core.actions import do_log_password_change, do_log_password_reset_request


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        response = super().form_valid(form)
        do_log_password_reset_request(email=form.cleaned_data["email"])
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]  # stubs make the form generic
        response = super().form_valid(form)
        do_log_password_change(form.user, how="reset link")
        return response
