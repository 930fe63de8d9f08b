"""Forms of the reorganization drive pages."""

from __future__ import annotations

from django import forms

from groundswell.reorg.models import SelectionMethod, Tier

DATE = forms.DateInput(attrs={"type": "date"})


class DriveForm(forms.Form):
    name = forms.CharField(max_length=200)
    state = forms.CharField(max_length=2, help_text="Two letters, e.g. RI")
    party = forms.CharField(max_length=40, initial="Democratic")
    election_date = forms.DateField(widget=DATE, label="Election of committee members")
    filing_opens = forms.DateField(widget=DATE, required=False)
    filing_deadline = forms.DateField(widget=DATE, required=False)
    reorganization_date = forms.DateField(widget=DATE, required=False, label="Committees meet to reorganize")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RuleForm(forms.Form):
    county = forms.CharField(max_length=80, required=False, label="County or town (blank: statewide)")
    seats_per_precinct = forms.IntegerField(min_value=1, initial=2)
    selection = forms.ChoiceField(choices=SelectionMethod.choices)
    signatures_required = forms.IntegerField(min_value=0, initial=0, label="Signatures to file")
    eligibility = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    source_url = forms.URLField(required=False, label="Source (party rules or statute)", assume_scheme="https")


class DateForm(forms.Form):
    label = forms.CharField(max_length=200)
    on = forms.DateField(widget=DATE, label="Date")
    county = forms.CharField(max_length=80, required=False, label="County or town (blank: statewide)")
    is_deadline = forms.BooleanField(required=False, label="A filing deadline")


class SeatsForm(forms.Form):
    area = forms.CharField(max_length=80, required=False, label="County or town (blank: every precinct of the state)")


class LeadershipForm(forms.Form):
    tier = forms.ChoiceField(choices=[c for c in Tier.choices if c[0] != Tier.PRECINCT], label="Office")
    seats = forms.IntegerField(min_value=1, initial=1)
    area = forms.CharField(max_length=80, required=False, label="County or town (for a county officer)")
