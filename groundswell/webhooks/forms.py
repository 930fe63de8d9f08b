"""What the webhook pages accept: a URL and the event types it wants."""

from __future__ import annotations

from typing import Any

from django import forms

from groundswell.webhooks.events import EVENT_TYPES


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label="URL", max_length=500, assume_scheme="https",
        help_text="Where each event is POSTed as JSON (http or https).",
    )  # fmt: skip
    description = forms.CharField(label="Description", max_length=120, required=False, help_text="What receives it")
    event_types = forms.MultipleChoiceField(label="Events", widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices = [(name, f"{name} — {description}") for name, description in sorted(EVENT_TYPES.items())]
        self.fields["event_types"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField
