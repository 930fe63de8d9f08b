"""Forms of the chapter pages: the finder, the public join form and the leaders' edit form."""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.chapters.geo import STATE_CHOICES, state_for_zip
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus
from groundswell.people.actions import ConsentWords, PersonDetails
from groundswell.people.normalize import normalize_email, normalize_phone, normalize_zip

ABROAD = "abroad"


def _clean_with(normalize: Any, value: str) -> str:
    """Run one of people/normalize's cleaners, turning its ValueError into a form error."""
    try:
        return str(normalize(value))
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


def _zip5(value: str) -> str:
    return _clean_with(normalize_zip, value)[:5]


class FinderForm(forms.Form):
    zip_code = forms.CharField(label="ZIP code", required=False, max_length=10)
    state = forms.ChoiceField(label="State", required=False)

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(STATE_CHOICES)
        options = [("", "Any state")] + [
            (code, names.get(code, code)) for code in sorted(states, key=lambda code: names.get(code, code))
        ]
        self.fields["state"].choices = [*options, (ABROAD, "Abroad")]  # type: ignore[attr-defined]  # ChoiceField

    def clean_zip_code(self) -> str:
        value: str = self.cleaned_data["zip_code"].strip()
        if not value:
            return ""
        zip5 = _zip5(value)
        if state_for_zip(zip5) is None:
            raise forms.ValidationError(f"{zip5} is not a ZIP code we can place in a state.")
        return zip5


def _text(autocomplete: str, inputmode: str = "text") -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "inputmode": inputmode})


class JoinForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=80, widget=_text("given-name"))
    last_name = forms.CharField(label="Last name", max_length=80, widget=_text("family-name"))
    email = forms.CharField(label="Email", max_length=254, widget=_text("email", "email"))
    phone = forms.CharField(label="Mobile phone (optional)", max_length=30, required=False, widget=_text("tel", "tel"))
    zip_code = forms.CharField(label="ZIP code", max_length=10, widget=_text("postal-code", "numeric"))
    email_consent = forms.BooleanField(label="Email me about this chapter's meetings and actions", required=False)
    sms_consent = forms.BooleanField(
        label="Text me (message and data rates may apply; reply STOP to end)", required=False
    )
    # A field people never see (hidden by CSS, skipped by keyboard and screen readers); bots fill it in.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, chapter: Chapter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chapter = chapter
        # The words the person agrees to are kept with their consent (people.ConsentEvent.wording):
        # a grant to the chapter reaches the national organization above it, and these say so.
        self.fields[
            "email_consent"
        ].label = f"Email me about {chapter.name}'s meetings and actions, and Groundswell's national campaigns"
        if chapter.is_abroad:
            self.fields["zip_code"].required = False
            self.fields["zip_code"].label = "ZIP code of your US voting address (optional)"

    def clean_email(self) -> str:
        return _clean_with(normalize_email, self.cleaned_data["email"])

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        return _clean_with(normalize_phone, value) if value else ""

    def clean_zip_code(self) -> str:
        value: str = self.cleaned_data["zip_code"].strip()
        return _zip5(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms_consent") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "Give a mobile number to get texts, or leave the text box unchecked.")
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def consent_words(self) -> ConsentWords:
        return ConsentWords(
            email=str(self.fields["email_consent"].label), sms=str(self.fields["sms_consent"].label),
            method=f"join form on {self.chapter.name}",
        )  # fmt: skip

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        zip5 = data["zip_code"]
        return PersonDetails(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            emails=[data["email"]],
            phones=[data["phone"]] if data["phone"] else [],
            zip_code=zip5,
            state=(state_for_zip(zip5) or "") if zip5 else "",
            # An unchecked box records nothing: joining a second chapter never withdraws consent.
            email_consent=True if data["email_consent"] else None,
            sms_consent=True if data["sms_consent"] else None,
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class ChapterEditForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    status = forms.ChoiceField(label="Status", choices=ChapterStatus.choices)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    contact_email = forms.EmailField(label="Contact email", required=False)
    counties = forms.CharField(
        label="Counties (one per line)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    cities = forms.CharField(label="Cities (one per line)", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    zip_codes = forms.CharField(
        label="ZIP codes (one per line or comma-separated)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    @classmethod
    def initial_for(cls, chapter: Chapter) -> dict[str, str]:
        by_kind: dict[str, list[str]] = {kind: [] for kind in AreaKind.values}
        for area in chapter.areas.all():
            by_kind[area.kind].append(area.value)
        return {
            "name": chapter.name,
            "status": chapter.status,
            "description": chapter.description,
            "contact_email": chapter.contact_email,
            "counties": "\n".join(by_kind[AreaKind.COUNTY]),
            "cities": "\n".join(by_kind[AreaKind.CITY]),
            "zip_codes": "\n".join(by_kind[AreaKind.ZIP]),
        }

    def clean_zip_codes(self) -> list[str]:
        zips, errors = [], []
        for n, value in enumerate(_lines(self.cleaned_data["zip_codes"]), start=1):
            try:
                zips.append(normalize_zip(value)[:5])
            except ValueError as exc:
                errors.append(f"Line {n}: {exc}.")
        if errors:
            raise forms.ValidationError(errors)
        return sorted(set(zips))

    def areas(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        counties = [(AreaKind.COUNTY.value, v) for v in sorted(set(_lines(data["counties"])))]
        cities = [(AreaKind.CITY.value, v) for v in sorted(set(_lines(data["cities"])))]
        return [*counties, *cities, *((AreaKind.ZIP.value, z) for z in data["zip_codes"])]

    def chapter_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("name", "status", "description", "contact_email")}
