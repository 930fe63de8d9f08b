"""Forms of the field pages. Each error names its field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from groundswell.field.models import DEFAULT_RESULTS, CallListKind, Method, Result
from groundswell.field.scripts import KINDS, ScriptError, clean_questions

RESULT_CHOICES = [(r.value, r.label) for r in Result if r != Result.CONTACTED]
EXAMPLE_QUESTIONS = """support | support | Can we count on your support for our candidate?
issue | m4a | Do you support Medicare for All? | for, against, unsure
pledge | pledge | Will you pledge to vote on Election Day?
volunteer | volunteer | Would you volunteer with us?"""


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=160)
    chapter: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Whole state (staff, coordinators)"
    )
    state = forms.CharField(max_length=2, required=False, help_text="Only for a whole-state campaign")
    results = forms.MultipleChoiceField(
        choices=RESULT_CHOICES, initial=[r.value for r in DEFAULT_RESULTS], widget=forms.CheckboxSelectMultiple,
        label="Canned results canvassers may pick",
    )  # fmt: skip

    def __init__(self, *args: Any, chapters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = chapters  # type: ignore[attr-defined]  # ModelChoiceField has queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("chapter") and len((data.get("state") or "").strip()) != 2:
            raise forms.ValidationError("state: give a two-letter state for a whole-state campaign")
        return data


class ScriptForm(forms.Form):
    name = forms.CharField(max_length=160)
    intro = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="What to say")
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), initial=EXAMPLE_QUESTIONS,
        help_text=f"One per line: kind | key | question | choices (issue questions). Kinds: {', '.join(KINDS)}.",
    )  # fmt: skip

    def clean_questions(self) -> list[dict[str, Any]]:
        parsed = []
        for line in self.cleaned_data["questions"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            parts += [""] * (4 - len(parts))
            parsed.append({"kind": parts[0], "key": parts[1], "label": parts[2], "choices": parts[3].split(",")})
        try:
            return clean_questions(parsed)
        except ScriptError as error:
            raise forms.ValidationError(str(error)) from None


class CutTurfsForm(forms.Form):
    voter_list: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label="Frozen list")
    target = forms.IntegerField(min_value=1, max_value=2000, initial=40, label="Target size")
    unit = forms.ChoiceField(choices=[("doors", "doors"), ("voters", "voters")], initial="doors")

    def __init__(self, *args: Any, lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voter_list"].queryset = lists  # type: ignore[attr-defined]  # ModelChoiceField has queryset


class ControlGroupForm(forms.Form):
    voter_list: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label="Frozen list")
    share = forms.FloatField(min_value=0.01, max_value=0.5, initial=0.1, help_text="e.g. 0.1 holds out a tenth")
    seed = forms.IntegerField(min_value=0, help_text="Recorded, so the draw can be repeated")

    def __init__(self, *args: Any, lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voter_list"].queryset = lists  # type: ignore[attr-defined]  # ModelChoiceField has queryset
        self.fields["seed"].initial = int(timezone.now().timestamp())


class CallListForm(forms.Form):
    name = forms.CharField(max_length=160, required=False)
    kind = forms.ChoiceField(choices=CallListKind.choices)
    method = forms.ChoiceField(choices=[(Method.PHONE, "Phone"), (Method.TEXT, "Text")])
    voter_list: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label="Frozen list (for voters)"
    )

    def __init__(self, *args: Any, lists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voter_list"].queryset = lists  # type: ignore[attr-defined]  # ModelChoiceField has queryset


class AssignForm(forms.Form):
    volunteer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)
    expires_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = users  # type: ignore[attr-defined]  # ModelChoiceField has queryset
        self.fields["expires_at"].initial = timezone.localtime() + timedelta(days=2)
