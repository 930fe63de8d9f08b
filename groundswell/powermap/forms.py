"""Forms of the power map's staff pages."""

from __future__ import annotations

from django import forms

from groundswell.chapters.geo import STATE_CHOICES
from groundswell.elections.models import ElectionKind
from groundswell.powermap.models import DrawingBody

STATE_FIELD_HELP = "Two-letter state code"


class LegislatorsImportForm(forms.Form):
    file = forms.FileField(label="Open States legislators CSV (or one person's YAML file)")
    states = forms.CharField(label="Only these states (comma-separated codes; blank: all)", required=False)
    dry_run = forms.BooleanField(label="Dry run: check and count, save nothing", required=False)


class ResultsImportForm(forms.Form):
    file = forms.FileField(label="OpenElections precinct results CSV")
    state = forms.ChoiceField(label="State", choices=STATE_CHOICES)
    date = forms.DateField(label="Election day", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="Election kind", choices=ElectionKind.choices, initial=ElectionKind.GENERAL)
    county = forms.CharField(label="County (when the file has no county column)", required=False)
    dry_run = forms.BooleanField(label="Dry run: check and count, save nothing", required=False)


class BoundariesImportForm(forms.Form):
    file = forms.FileField(label="Precinct GeoJSON (MGGG layout: precinct and district properties)")
    state = forms.ChoiceField(label="State", choices=STATE_CHOICES)
    plan_valid_from = forms.DateField(
        label="District lines in force from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plan_valid_to = forms.DateField(
        label="District lines in force until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    with_votes = forms.BooleanField(label="Also import the 2016/2018 precinct votes the file carries", required=False)
    dry_run = forms.BooleanField(label="Dry run: check and count, save nothing", required=False)


class LeanForm(forms.Form):
    race = forms.TypedChoiceField(label="Reference race", coerce=int)

    def __init__(self, *args: object, races: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature is untyped
        self.fields["race"].choices = races  # type: ignore[attr-defined]  # ChoiceField has choices


class RedistrictingForm(forms.Form):
    body = forms.ChoiceField(label="Who draws the lines", choices=DrawingBody.choices)
    source_url = forms.URLField(label="Source (a page that says so)", max_length=300, assume_scheme="https")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
