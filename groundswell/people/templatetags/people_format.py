"""Display helpers for people pages."""

from __future__ import annotations

from django import template

from groundswell.people.normalize import format_phone

register = template.Library()


@register.filter(name="phone")
def phone(e164: str) -> str:
    """A stored E.164 number as people write it; anything unparsable is shown as stored."""
    try:
        return format_phone(e164)
    except Exception:  # phonenumbers raises NumberParseException on junk; show it rather than fail the page
        return e164


@register.filter(name="name_of")
def name_of(names: dict[int, str], person_id: int) -> str:
    """``{{ names|name_of:recruit.person_id }}``: a person's name as the viewer sees them
    (people.selectors.names_seen_by), for pages of other apps that list people."""
    return names.get(person_id, "(outside your chapters)")
