"""Forms of the turnout pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from groundswell.chapters.access import AnyUser
from groundswell.core.models import User
from groundswell.field.models import Campaign
from groundswell.turnout.ballots import METHODS, BallotFileError, GenericMapping
from groundswell.turnout.importing import importable_states
from groundswell.turnout.models import BallotLayout, ReturnMethod

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
GENERIC_COLUMNS = ("voter_id_column", "date_column", "method_column", "status_column", "precinct_column",
                   "county_column")  # fmt: skip


class BallotUploadForm(forms.Form):
    file = forms.FileField(label="Ballot file (CSV)", help_text="NC's absentee_<date>.csv, or any CSV with a header.")
    layout = forms.ChoiceField(label="Layout", choices=BallotLayout.choices, initial=BallotLayout.NC_ABSENTEE)
    state = forms.CharField(label="State (two letters)", max_length=2, required=False,
                            help_text="North Carolina's file is always NC.")  # fmt: skip
    file_date = forms.DateField(label="Date of the file", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Blank: the date in the file's name, else today.")  # fmt: skip
    voter_id_column = forms.CharField(label="Voter id column", required=False)
    date_column = forms.CharField(label="Date returned or voted column", required=False)
    method_column = forms.CharField(label="Method column (optional)", required=False)
    status_column = forms.CharField(label="Status column (optional)", required=False,
                                    help_text="Without one, every dated row counts as a ballot cast.")  # fmt: skip
    precinct_column = forms.CharField(label="Precinct column (optional)", required=False)
    county_column = forms.CharField(label="County column (optional)", required=False)
    default_method = forms.ChoiceField(label="Method of rows without one", required=False, initial="other",
                                       choices=[(m, ReturnMethod(m).label) for m in METHODS])  # fmt: skip

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        states = importable_states(user)
        if states is not None and len(states) == 1:
            self.fields["state"].initial = states[0]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 200 MB; use `groundswell import-ballots`.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("layout") == BallotLayout.GENERIC:
            if not (data.get("state") or "").strip():
                self.add_error("state", "Say which state a generic file is from.")
            try:
                data["mapping"] = self.mapping(data)
            except BallotFileError as exc:
                self.add_error("voter_id_column" if "voter id" in str(exc) else "date_column", str(exc))
        else:
            data["mapping"] = None
        return data

    @staticmethod
    def mapping(data: dict[str, Any]) -> GenericMapping:
        return GenericMapping(
            voter_id=data.get("voter_id_column") or "", returned_on=data.get("date_column") or "",
            method=data.get("method_column") or "", status=data.get("status_column") or "",
            precinct=data.get("precinct_column") or "", county=data.get("county_column") or "",
            default_method=data.get("default_method") or "other",
        )  # fmt: skip


class HoursForm(forms.Form):
    worked_on = forms.DateField(label="Day worked", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="Hours", min_value=Decimal("0.25"), max_value=24, decimal_places=2)
    volunteer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Volunteer (optional)")
    note = forms.CharField(label="Note (optional)", max_length=200, required=False)

    def __init__(self, *args: Any, volunteers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = volunteers


class CostForm(forms.Form):
    hourly_value = forms.DecimalField(label="Value of a volunteer hour ($)", min_value=0, decimal_places=2)
    money_spent = forms.DecimalField(label="Money spent ($)", min_value=0, decimal_places=2)


class ChaseCallListForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), label="Field campaign")
    name = forms.CharField(label="Name (optional)", max_length=160, required=False)

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns
