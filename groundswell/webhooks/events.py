"""Event types, and the hooks the people code calls when something a subscriber may hear of happens.

A hook does nothing (one cached check, no query) while no subscription is active. Otherwise it asks
for a flush once the write commits (``transaction.on_commit``): a rolled-back write sends nothing, and
what is sent is the person as they are after the write. The flush (webhooks.deliveries) works out
which subscriptions see each person and makes their deliveries.

Later features add their own types with one call: ``register_event_type("event.rsvp", "...")``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

EVENT_TYPES: dict[str, str] = {}

PERSON_CREATED = "person.created"
PERSON_UPDATED = "person.updated"
TAGGING_CREATED = "tagging.created"
TAGGING_DELETED = "tagging.deleted"


def register_event_type(name: str, description: str) -> str:
    """Make an event type subscribable; returns its name."""
    EVENT_TYPES[name] = description
    return name


register_event_type(PERSON_CREATED, "A person came into the subscriber's sight")
register_event_type(PERSON_UPDATED, "What the subscriber sees of a person changed")
register_event_type(TAGGING_CREATED, "A tag the subscriber can see was put on a person")
register_event_type(TAGGING_DELETED, "A tag the subscriber could see was taken off a person")


# Reach says which owner an item's owner must be for a subscriber to hear of it: "view" (the owner
# whose view of the person was made or changed: a scope's view owners, national for national staff),
# "fact" (the owner of a fact, such as a tag: any owner whose facts the scope sees).
Reach = Literal["view", "fact"]


@dataclass(frozen=True)
class PersonEvent:
    """Something that happened to one person, as one owner knows it."""

    event_type: str
    person_id: int
    owner_id: int
    reach: Reach
    data: dict[str, str] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class NationalCandidates:
    """People rebuilt with no view before: national hears of them as created if their record is new."""

    person_ids: tuple[int, ...]
    since: datetime  # records made after it are new


# A record this young, rebuilt with no view before, was made by the write (rebuild_views runs in the
# write's transaction, moments after the insert); an older one was only changed.
NEW_RECORD_WINDOW = timedelta(seconds=60)


# ---- is anyone listening? ------------------------------------------------------------------------

_checked: list[tuple[float, bool]] = []


def anyone_listening() -> bool:
    """Whether an active subscription exists, asked of the database at most once a
    WEBHOOK_SUBSCRIPTION_CHECK_SECONDS in each process (and at once after this process changes one)."""
    now = time.monotonic()
    if _checked and now - _checked[0][0] < _check_seconds():
        return _checked[0][1]
    from groundswell.webhooks.models import Subscription, SubscriptionStatus

    listening = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).exists()
    _checked[:] = [(now, listening)]
    return listening


def forget_listening() -> None:
    _checked.clear()


def _check_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_SUBSCRIPTION_CHECK_SECONDS", 1.0))


# ---- the hooks -----------------------------------------------------------------------------------


def emit_people_events(events: Iterable[PersonEvent], national: NationalCandidates | None = None) -> None:
    """Deliver these events, once the current transaction commits, to every subscription that sees them."""
    batch = list(events)
    if not batch and not (national and national.person_ids):
        return

    def flush() -> None:
        from groundswell.webhooks.deliveries import deliver_people_events

        deliver_people_events(batch, national)

    # robust: the write has committed by then; a failure here is logged, never the writer's error
    transaction.on_commit(flush, robust=True)


def views_written(
    made: Iterable[tuple[int, int]],
    changed: Iterable[tuple[int, int]] = (),
    *,
    new_people: Iterable[int] = (),
    without_views_before: Iterable[int] = (),
) -> None:
    """people.facts.rebuild_views wrote views: a view made is person.created for its owner, a view
    changed person.updated. National keeps no view (its view is the person record): it hears of the
    ``new_people`` and of people with no view before whose record is new as created, of the rest as updated."""
    if not anyone_listening():
        return
    from groundswell.chapters.owners import national_owner

    national_id = national_owner().pk
    events = [PersonEvent(PERSON_CREATED, pid, owner, "view") for pid, owner in made]
    events += [PersonEvent(PERSON_UPDATED, pid, owner, "view") for pid, owner in changed]
    new = set(new_people)
    fresh = set(without_views_before) - new
    events += [PersonEvent(PERSON_CREATED, pid, national_id, "view") for pid in sorted(new)]
    touched = {pid for pid, _ in made} | {pid for pid, _ in changed}
    events += [PersonEvent(PERSON_UPDATED, pid, national_id, "view") for pid in sorted(touched - new - fresh)]
    since = timezone.now() - NEW_RECORD_WINDOW
    emit_people_events(events, NationalCandidates(tuple(sorted(fresh)), since))


def tagging_changed(event_type: str, person_id: int, tag_name: str, owner_ids: Iterable[int]) -> None:
    """A tag was put on (or taken off) a person by these owners."""
    if not anyone_listening():
        return
    emit_people_events(PersonEvent(event_type, person_id, owner, "fact", {"tag": tag_name}) for owner in owner_ids)


def owners_of_tags(person_tags: object) -> list[int]:
    """The owners of the PersonTag rows about to be deleted (a queryset): nothing read if nobody listens."""
    if not anyone_listening():
        return []
    from django.db.models import QuerySet

    assert isinstance(person_tags, QuerySet)
    return sorted(set(person_tags.values_list("owner_id", flat=True)))
