"""What the staff pages accept: a new user, a role to grant, an audit log filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.db.models import QuerySet

from groundswell.chapters.geo import STATE_CHOICES
from groundswell.chapters.models import Chapter, Role
from groundswell.core.models import AuditEvent
from groundswell.staff.selectors import AuditFilter


class StaffForm(forms.Form):
    """Labels without Django's trailing colon, as on every other page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NewUserForm(StaffForm):
    email = forms.EmailField(label="Email", help_text="They sign in with this address.")
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)


# Which extra field each role needs, and why the others are cleared: a grant carries only its own scope.
ROLE_NEEDS: dict[str, str] = {
    Role.STATE_COORDINATOR: "state",
    Role.CHAPTER_LEADER: "chapter",
    Role.VOLUNTEER: "chapter",
    Role.PARTNER_LIAISON: "organization",
}


class GrantRoleForm(StaffForm):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    state = forms.ChoiceField(
        label="State", choices=[("", "—"), *STATE_CHOICES], required=False, help_text="For state coordinators."
    )
    chapter = forms.ModelChoiceField(
        label="Chapter",
        queryset=Chapter.objects.none(),
        required=False,
        empty_label="—",
        help_text="For chapter leaders and volunteers.",
    )
    organization = forms.CharField(
        label="Partner organization", max_length=120, required=False, help_text="For partner liaisons."
    )

    def __init__(self, *args: Any, chapters: QuerySet[Chapter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = ROLE_NEEDS.get(data.get("role", ""))
        for name in ("state", "chapter", "organization"):
            if name != needed:
                data[name] = None if name == "chapter" else ""
            elif not data.get(name):
                role_label = Role(data["role"]).label
                self.add_error(name, f"A {role_label.lower()} needs a {self.fields[name].label.lower()}.")  # type: ignore[union-attr]  # every field here has a label
        return data


def _record_type_choices() -> list[tuple[str, str]]:
    """Every model of ours, as the audit log names it (app_label.model), labelled for people."""
    ours = (m for m in apps.get_models() if m.__module__.startswith("groundswell."))
    labelled = sorted((m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in ours)
    return [("", "Any record"), *sorted(labelled, key=lambda choice: choice[1])]


class AuditFilterForm(StaffForm):
    event_type = forms.TypedChoiceField(
        label="Event",
        choices=[("", "Any event"), *sorted(AuditEvent.choices, key=lambda choice: str(choice[1]))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    actor = forms.CharField(label="Who (email starts with)", max_length=254, required=False)
    target_type = forms.ChoiceField(label="Record type", choices=_record_type_choices, required=False)
    target_id = forms.CharField(label="Record id", max_length=64, required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date is before the start date.")
        return data

    def wanted(self) -> AuditFilter:
        """The filter asked for; call after is_valid()."""
        data = self.cleaned_data
        return AuditFilter(
            event_type=data.get("event_type"),
            actor=data.get("actor", ""),
            target_type=data.get("target_type", ""),
            target_id=data.get("target_id", ""),
            since=data.get("since"),
            until=data.get("until"),
        )
