"""Custom fields (Action Network's ``custom_fields``): named values each owner holds about a person.

A write sets or clears the writer's owner's value of each name (people.models.CustomField). A reader
sees, for each name, the latest value among the facts that reach their scope, as a detail field is
folded (people/fold.py): a null (a cleared value) that is the latest hides the older values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from groundswell.chapters.access import Scope
from groundswell.people import facts
from groundswell.people.facts import Provenance
from groundswell.people.models import CustomField, Person

NAME_LONGEST = 64
VALUE_LONGEST = 1_000


def record_custom_fields(person: Person, values: Mapping[str, str | None], prov: Provenance) -> list[str]:
    """The writer's owner's value of each name, set (a string) or cleared (None). Returns the names
    that changed."""
    held = {row.name: row for row in CustomField.objects.filter(person=person, owner=prov.owner)}
    changed = []
    for name, value in values.items():
        row = held.get(name)
        if row is not None and row.value == value:
            continue
        if row is None and value is None and not _held_below(person, name, prov):
            continue  # nothing reaches the writer to clear
        fields = {k: v for k, v in prov.fact_fields().items() if k != "owner"}
        if row is None:
            CustomField.objects.create(person=person, owner=prov.owner, name=name, value=value, **fields)
        else:
            CustomField.objects.filter(pk=row.pk).update(value=value, **fields)
        changed.append(name)
    return changed


def _held_below(person: Person, name: str, prov: Provenance) -> bool:
    reaching = facts.owners_reaching(prov.owner)
    return CustomField.objects.filter(person=person, name=name, owner_id__in=reaching).exists()


def clear_all_custom_fields(person: Person, prov: Provenance) -> list[str]:
    """Clear every name that reaches the writer's owner (an API ``"custom_fields": null``)."""
    reaching = facts.owners_reaching(prov.owner)
    names = CustomField.objects.filter(person=person, owner_id__in=reaching).values_list("name", flat=True)
    return record_custom_fields(person, dict.fromkeys(sorted(set(names))), prov)


def custom_fields_seen(scope: Scope, person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Each person's custom fields as the scope sees them: per name, the latest value reaching it."""
    rows = CustomField.objects.filter(scope.owner_q(), person_id__in=list(person_ids)).order_by("recorded_at", "id")
    latest: dict[int, dict[str, str | None]] = defaultdict(dict)
    for pid, name, value in rows.values_list("person_id", "name", "value"):
        latest[pid][name] = value
    return {
        pid: {name: value for name, value in sorted(values.items()) if value is not None}
        for pid, values in latest.items()
    }
