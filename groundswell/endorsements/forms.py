"""Forms of the endorsement pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from groundswell.chapters.models import Chapter
from groundswell.elections.models import Candidacy, OfficeLevel
from groundswell.endorsements.importing import FIELDS, OUTCOME_CHOICES, READ_AS_SHARE, READ_AS_VALUES
from groundswell.endorsements.models import (
    BallotChoice,
    PlatformIssue,
    PledgeKind,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    Recommendation,
)

WRITTEN_PREFIX = "written:"


class NominateForm(forms.Form):
    candidacy = forms.ModelChoiceField(queryset=Candidacy.objects.none(), label="Candidate and race")
    candidate_email = forms.EmailField(label="Candidate's email (the private questionnaire link goes here)")
    template = forms.ModelChoiceField(
        queryset=QuestionnaireTemplate.objects.none(), label="Questionnaire", empty_label=None
    )
    partner_chapters = forms.ModelMultipleChoiceField(
        queryset=Chapter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The race spans other chapters' areas too: hold a joint vote with",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Why we nominate them")

    def __init__(self, *args: Any, candidacies: Any, templates: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidacy"].queryset = candidacies  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["candidacy"].label_from_instance = candidacy_label  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["partner_chapters"].queryset = partners  # type: ignore[attr-defined]  # a ModelChoiceField


def candidacy_label(candidacy: Candidacy) -> str:
    return f"{candidacy.name} — {candidacy.race.office.name} ({candidacy.race.election.name})"


def answer_form_class(questions: list[Question]) -> type[forms.Form]:
    """A form with one field (or two) per question of the questionnaire."""
    fields: dict[str, forms.Field] = {}
    for q in questions:
        if q.kind == QuestionKind.YES_NO:
            fields[f"q{q.pk}"] = forms.TypedChoiceField(
                label=q.prompt,
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                coerce=lambda v: v == "yes",
            )
            fields[f"c{q.pk}"] = forms.CharField(
                label="Comment (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        else:
            fields[f"c{q.pk}"] = forms.CharField(label=q.prompt, widget=forms.Textarea(attrs={"rows": 4}))
    return type("AnswerForm", (forms.Form,), fields)


class OpenVoteForm(forms.Form):
    closes_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Voting closes")
    quorum_percent = forms.IntegerField(
        min_value=0, max_value=100, initial=25, label="Quorum: % of eligible members (not recused) who must vote"
    )
    threshold_percent = forms.IntegerField(
        min_value=1, max_value=100, initial=60, label="Threshold: % of yes among yes and no votes to pass"
    )

    @staticmethod
    def default_close() -> dt.datetime:
        return (timezone.localtime() + dt.timedelta(days=7)).replace(hour=21, minute=0, second=0, microsecond=0)


class BallotForm(forms.Form):
    choice = forms.ChoiceField(choices=BallotChoice.choices, widget=forms.RadioSelect, label="Your vote")


class RecusalForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Your conflict of interest (e.g. I work on the campaign)")


class StateReviewForm(forms.Form):
    recommendation = forms.ChoiceField(choices=Recommendation.choices, widget=forms.RadioSelect)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("endorse", "Endorse"), ("decline", "Do not endorse")], widget=forms.RadioSelect
    )
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reasons (shared with the chapter)")


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why the endorsement is withdrawn")


class PledgeForm(forms.Form):
    kind = forms.ChoiceField(choices=PledgeKind.choices, label="Pledge")
    taken_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Taken on")


class CommitmentForm(forms.Form):
    issue = forms.ModelChoiceField(queryset=PlatformIssue.objects.none(), label="Platform issue")
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What they commit to")

    def __init__(self, *args: Any, issues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = issues  # type: ignore[attr-defined]  # a ModelChoiceField


class PlatformIssueForm(forms.Form):
    title = forms.CharField(max_length=120)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    position = forms.IntegerField(min_value=0, initial=0, label="Order")
    active = forms.BooleanField(required=False, initial=True, label="On the platform")


class QuestionnaireForm(forms.Form):
    title = forms.CharField(max_length=200)
    introduction = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="One question per line, answered yes or no. Start a line with “Written:” for a written answer.",
    )

    def question_specs(self) -> list[tuple[str, str]]:
        specs = []
        for line in self.cleaned_data["questions"].splitlines():
            text = line.strip()
            if not text:
                continue
            if text.lower().startswith(WRITTEN_PREFIX):
                specs.append((text[len(WRITTEN_PREFIX) :].strip(), QuestionKind.TEXT.value))
            else:
                specs.append((text, QuestionKind.YES_NO.value))
        return specs


class UndoImportForm(forms.Form):
    confirm = forms.BooleanField(label="Yes, take this import back")


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file of past endorsements")


class MappingForm(forms.Form):
    """Pick, for each field, the column that holds it (columns come from the uploaded file)."""

    default_state = forms.CharField(max_length=2, required=False, label="State, when the file has no state column")
    default_kind = forms.ChoiceField(
        choices=[("general", "General"), ("primary", "Primary"), ("special", "Special"), ("runoff", "Runoff")],
        label="Election kind, when the file has none",
    )
    default_level = forms.ChoiceField(
        choices=[("", "—"), *OfficeLevel.choices], required=False, label="Office level, when the file has none"
    )

    result_as = forms.ChoiceField(
        choices=[
            (READ_AS_VALUES, "Each value says won, lost or undecided"),
            (READ_AS_SHARE, "A vote share: the candidate with the most in each race won"),
        ],
        widget=forms.RadioSelect,
        label="How the result column reads",
    )
    # The result column whose values the page asked about: choosing another asks again before importing.
    result_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, headers: list[str], readings: list[tuple[str, int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— none —"), *[(h, h) for h in headers]]
        for name, label in FIELDS.items():
            self.fields[f"col_{name}"] = forms.ChoiceField(choices=choices, required=False, label=label)
        self.fields["endorsers"] = forms.MultipleChoiceField(
            choices=[(h, h) for h in headers],
            widget=forms.CheckboxSelectMultiple,
            label="Endorser columns (each holds Yes or No)",
        )
        self.value_fields: list[tuple[str, str, int]] = []  # (field name, value as written, rows)
        for index, (value, rows, reading) in enumerate(readings or []):
            name = f"means_{index}"
            self.fields[name] = forms.ChoiceField(
                choices=[("", "— say which —"), *OUTCOME_CHOICES],
                initial=reading,
                label=f"“{value}”" if value else "(blank)",
                help_text=f"{rows} row{'s' if rows != 1 else ''}",
            )
            self.value_fields.append((name, value, rows))

    def value_answers(self) -> dict[str, str]:
        """How each result value reads, as the organizer left it: value, lowercased -> won/lost/pending."""
        return {value.lower(): self.cleaned_data[name] for name, value, _ in self.value_fields}
