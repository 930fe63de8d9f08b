"""The universe builder's form: plain fields in, a validated Universe (and tag filters) out."""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.voterfile import layouts
from groundswell.voterfile.targeting import Universe, UniverseError
from groundswell.voters.queries import DISTRICT_LABELS, Facets

GENDERS = (("F", "Women"), ("M", "Men"), ("U", "Unknown"))
STATUSES = (("A", "Active"), ("I", "Inactive"), ("S", "Temporary"), ("D", "Denied"), ("R", "Removed"))
METHODS = tuple((m, m.replace("_", " ").capitalize()) for m in layouts.VOTING_METHODS)
HISTORY_KINDS = (("GENERAL", "generals"), ("PRIMARY", "primaries"))


def _multi(label: str, choices: Any, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, help_text=help_text, widget=forms.CheckboxSelectMultiple
    )


def _select_multi(label: str, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )


class BuilderForm(forms.Form):
    """Every filter is optional; an empty one does not filter. The checked statuses default to A and I."""

    name = forms.CharField(label="Name", max_length=120, required=False)
    parties = forms.MultipleChoiceField(label="Party", required=False, widget=forms.CheckboxSelectMultiple)
    genders = _multi("Gender", GENDERS)
    statuses = _multi("Registration status", STATUSES)
    age_min = forms.IntegerField(label="Age from", min_value=18, max_value=130, required=False)
    age_max = forms.IntegerField(label="Age to", min_value=18, max_value=130, required=False)
    registered_after = forms.DateField(
        label="Registered on or after", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_before = forms.DateField(
        label="Registered on or before", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    counties = forms.MultipleChoiceField(
        label="Counties", required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    precincts = forms.MultipleChoiceField(
        label="Precincts", required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    general_at_least = forms.IntegerField(label="Voted in at least", min_value=1, max_value=62, required=False)
    general_of_last = forms.IntegerField(label="of the last (generals)", min_value=1, max_value=62, required=False)
    primary_at_least = forms.IntegerField(label="Voted in at least", min_value=1, max_value=62, required=False)
    primary_of_last = forms.IntegerField(label="of the last (primaries)", min_value=1, max_value=62, required=False)
    voted_in = forms.ChoiceField(label="Voted in", required=False)
    voted_methods = _multi("By", METHODS)
    voted_party_ballot = forms.ChoiceField(label="With the party ballot of", required=False)
    skipped = forms.ChoiceField(label="Did not vote in", required=False)
    tags = forms.MultipleChoiceField(
        label="Linked to people tagged", required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    exclude_tags = forms.MultipleChoiceField(
        label="Leave out people tagged", required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    exclude_universe = forms.ChoiceField(label="Leave out everyone in", required=False)

    def __init__(
        self,
        *args: Any,
        facets: Facets,
        tags: list[str],
        universes: list[tuple[int, str, dict[str, Any]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.district_fields: list[str] = []
        self._universes = {str(pk): definition for pk, _, definition in universes}
        self._choices("parties", [(p, layouts.PARTY_CODES.get(p, p).title()) for p in facets.parties])
        self._choices("counties", [(str(i), n.title()) for i, n in facets.counties])
        self._choices("precincts", [(p, name.title()) for p, name in facets.precincts])
        elections = [("", "—")] + [(d.isoformat(), f"{d:%b %-d, %Y} {kind.lower()}") for d, kind, _ in facets.elections]
        self._choices("voted_in", elections)
        self._choices("skipped", elections)
        self._choices(
            "voted_party_ballot",
            [("", "any party")] + [(p, layouts.PARTY_CODES[p].title()) for p in layouts.PARTY_CODES],
        )
        self._choices("tags", [(t, t) for t in tags])
        self._choices("exclude_tags", [(t, t) for t in tags])
        self._choices("exclude_universe", [("", "—")] + [(str(pk), name) for pk, name, _ in universes])
        for kind, values in facets.districts.items():
            name = f"district_{kind}"
            self.fields[name] = _select_multi(DISTRICT_LABELS[kind], [(v, v) for v in values])
            self.district_fields.append(name)
        if not self.is_bound and "statuses" not in self.initial:
            self.initial["statuses"] = ["A", "I"]

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["universe"] = Universe.from_dict(self.definition(data))
        except UniverseError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def definition(self, data: dict[str, Any]) -> dict[str, Any]:
        history: list[dict[str, Any]] = []
        for kind, prefix in (("GENERAL", "general"), ("PRIMARY", "primary")):
            at_least, of_last = data.get(f"{prefix}_at_least"), data.get(f"{prefix}_of_last")
            if at_least or of_last:
                history.append({"election_type": kind, "at_least": at_least, "of_last": of_last or at_least})
        if data.get("voted_in"):
            history.append({"election_date": data["voted_in"], "methods": data.get("voted_methods") or [],
                            "party_ballot": data.get("voted_party_ballot") or None})  # fmt: skip
        if data.get("skipped"):
            history.append({"election_date": data["skipped"], "voted": False})
        exclude = [self._universes[data["exclude_universe"]]] if data.get("exclude_universe") else []
        return {
            "counties": [int(c) for c in data.get("counties") or []],
            "precincts": data.get("precincts") or [],
            "districts": {f.removeprefix("district_"): data[f] for f in self.district_fields if data.get(f)},
            "parties": data.get("parties") or [],
            "genders": data.get("genders") or [],
            "statuses": data.get("statuses") or [],
            "age_min": data.get("age_min"),
            "age_max": data.get("age_max"),
            "registered_after": data.get("registered_after"),
            "registered_before": data.get("registered_before"),
            "history": history,
            "exclude": exclude,
        }


def initial_from(definition: dict[str, Any], tags: list[str], exclude_tags: list[str], name: str) -> dict[str, Any]:
    """The form's initial values for a saved universe (the reverse of BuilderForm.definition)."""
    u = Universe.from_dict(definition)
    initial: dict[str, Any] = {
        "name": name, "counties": [str(c) for c in u.counties], "precincts": list(u.precincts),
        "parties": list(u.parties), "genders": list(u.genders), "statuses": list(u.statuses), "age_min": u.age_min,
        "age_max": u.age_max, "registered_after": u.registered_after, "registered_before": u.registered_before,
        "tags": tags, "exclude_tags": exclude_tags,
    }  # fmt: skip
    for kind, codes in u.districts:
        initial[f"district_{kind}"] = list(codes)
    for rule in u.history:
        if rule.election_date is None:
            prefix = "general" if rule.election_type == "GENERAL" else "primary"
            initial[f"{prefix}_at_least"], initial[f"{prefix}_of_last"] = rule.at_least, rule.of_last
        elif rule.voted:
            initial["voted_in"] = rule.election_date.isoformat()
            initial["voted_methods"], initial["voted_party_ballot"] = list(rule.methods), rule.party_ballot or ""
        else:
            initial["skipped"] = rule.election_date.isoformat()
    return initial


class UploadForm(forms.Form):
    file = forms.FileField(label="Voter file", help_text="The state's file as published: text or zip.")
    layout = forms.ChoiceField(label="Layout")
    state = forms.CharField(
        label="State", max_length=2, required=False, help_text="Two letters; NC and OH files say it themselves."
    )
    mapping = forms.ChoiceField(label="Saved column mapping (for a CSV)", required=False)
    max_rejected_percent = forms.FloatField(
        label="Refuse the file if more than this % of rows are bad", min_value=0, max_value=100, initial=1.0
    )

    def __init__(self, *args: Any, mappings: list[tuple[int, str]], **kwargs: Any) -> None:
        from groundswell.voters.models import Layout

        super().__init__(*args, **kwargs)
        layout = self.fields["layout"]
        assert isinstance(layout, forms.ChoiceField)
        layout.choices = Layout.choices
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ChoiceField)
        mapping.choices = [("", "—")] + [(str(pk), name) for pk, name in mappings]
