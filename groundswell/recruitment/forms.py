"""Forms of the recruitment pages: parse and validate input; the actions do the work."""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.chapters.models import Chapter
from groundswell.core.models import User
from groundswell.elections.models import OfficeLevel, Race
from groundswell.people.models import Person
from groundswell.people.normalize import normalize_email, normalize_phone
from groundswell.recruitment.models import OfficeType, Stage

DATE = forms.DateInput(attrs={"type": "date"})


class RunForm(forms.Form):
    """The public “I want to run” form."""

    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = forms.EmailField(label="Email address")
    phone = forms.CharField(max_length=30, required=False, label="Phone (optional)")
    zip_code = forms.CharField(max_length=10, label="ZIP code")
    office_type = forms.ChoiceField(
        choices=OfficeType.choices, widget=forms.RadioSelect, initial=OfficeType.PUBLIC, label="What kind of office?"
    )
    office_sought = forms.CharField(
        max_length=200, required=False, label="Which office, if you know (e.g. school board, precinct committee)"
    )
    why = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Why do you want to run?")
    email_consent = forms.BooleanField(required=False, initial=True, label="Email me about trainings and next steps")
    website = forms.CharField(required=False, label="Leave this empty")  # a honeypot for bots

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if not phone:
            raise forms.ValidationError("Enter a phone number with its area code.")
        return phone


class RecruitForm(forms.Form):
    chapter = forms.ModelChoiceField(queryset=Chapter.objects.none(), empty_label=None)
    first_name = forms.CharField(max_length=80)
    last_name = forms.CharField(max_length=80)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    office_type = forms.ChoiceField(choices=OfficeType.choices, initial=OfficeType.PUBLIC)
    office_sought = forms.CharField(max_length=200, required=False)
    office_level = forms.ChoiceField(choices=[("", "Not known yet"), *OfficeLevel.choices], required=False)
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.IDENTIFIED)
    next_step = forms.CharField(max_length=200, required=False)
    next_step_due = forms.DateField(required=False, widget=DATE, label="Next step due")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, chapters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        phone = normalize_phone(raw) if raw else ""
        if raw and not phone:
            raise forms.ValidationError("Enter a phone number with its area code.")
        return phone or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("stage") in ("filing", "on_ballot", "won", "lost"):
            self.add_error("stage", "Add the recruit first, then move them to filing with their race.")
        return data


class RecruitDetailsForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="No owner")
    office_type = forms.ChoiceField(choices=OfficeType.choices)
    office_sought = forms.CharField(max_length=200, required=False)
    office_level = forms.ChoiceField(choices=[("", "Not known yet"), *OfficeLevel.choices], required=False)
    party = forms.CharField(max_length=40, required=False, help_text="As it will appear on the ballot")
    next_step = forms.CharField(max_length=200, required=False)
    next_step_due = forms.DateField(required=False, widget=DATE, label="Next step due")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]  # a ModelChoiceField


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, label="Move to stage")
    race = forms.ModelChoiceField(
        queryset=Race.objects.none(), required=False, label="Race (needed from filing on)", empty_label="—"
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, races: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["race"].queryset = races  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["race"].label_from_instance = lambda race: f"{race.office.name} — {race.election.name}"  # type: ignore[attr-defined]  # a ModelChoiceField


class TrainingForm(forms.Form):
    title = forms.CharField(max_length=200)
    held_on = forms.DateField(widget=DATE)
    chapter = forms.ModelChoiceField(
        queryset=Chapter.objects.none(), required=False, empty_label="National (all chapters)"
    )
    location = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, chapters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters  # type: ignore[attr-defined]  # a ModelChoiceField


class AttendanceForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label="Who attended")

    def __init__(self, *args: Any, people: Any, names: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people
        # Each choice as the user sees the person (their chapter's view), never national's record.
        field.label_from_instance = lambda obj: names.get(obj.pk, "(no name given)")  # type: ignore[method-assign]  # Django's documented way to relabel choices
