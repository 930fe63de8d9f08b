"""The form behind "Edit details" on a person's page: cleans input into what do_update_person takes.
The details are the editor's own view of the person (national's for national staff); a note is added."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from groundswell.people.normalize import normalize_zip


class PersonDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=80, required=False)
    middle_name = forms.CharField(max_length=80, required=False)
    last_name = forms.CharField(max_length=80, required=False)
    suffix = forms.CharField(max_length=16, required=False)
    address_line1 = forms.CharField(label="Street address", max_length=150, required=False)
    address_line2 = forms.CharField(label="Apartment, unit", max_length=150, required=False)
    city = forms.CharField(max_length=80, required=False)
    state = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. PA")
    zip_code = forms.CharField(label="ZIP", max_length=10, required=False)
    birth_year = forms.IntegerField(required=False)
    notes = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_state(self) -> str:
        state: str = self.cleaned_data["state"].strip().upper()
        if state and not (len(state) == 2 and state.isalpha()):
            raise forms.ValidationError("State: use the two-letter code, e.g. PA.")
        return state

    def clean_zip_code(self) -> str:
        raw: str = self.cleaned_data["zip_code"]
        if not raw.strip():
            return ""
        try:
            return normalize_zip(raw)
        except ValueError as error:
            raise forms.ValidationError(f"ZIP: {error}.") from None

    def clean_birth_year(self) -> int | None:
        year: int | None = self.cleaned_data["birth_year"]
        if year is not None and not 1900 <= year <= dt.date.today().year:
            raise forms.ValidationError(f"Birth year: {year} is not a year someone alive was born in.")
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("first_name") or cleaned.get("last_name")):
            raise forms.ValidationError("A person needs a first or a last name.")
        return cleaned
