"""Every change to saved lists of people: make, rename, delete a list; put a person on it, take them off.

Each action checks that the list is in the actor's scope and, when it adds someone, that the actor can see
the person and that the list's owner knows them: a list is made of people its owner knows, so whoever may
read the list may read who is on it. Each writes one audit entry, in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.chapters.models import Chapter, Owner, OwnerKind
from groundswell.chapters.owners import chapter_owner, national_owner, state_owner
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.lists.models import ListItem, PeopleList
from groundswell.people.models import Person, PersonView, Via
from groundswell.people.selectors import people_visible_to

NAME_LIMIT = 200


class ListOwnerUnclear(ValueError):
    """The actor could make the list for more than one owner (or none) and did not say which chapter."""


class PersonUnknownToOwner(ValueError):
    """The person is in the actor's sight but not known to the list's owner (a coordinator adding someone
    of one chapter to another chapter's list)."""


def owner_for_new_list(actor: User, chapter: Chapter | None) -> Owner:
    """Whose a new list is: the chapter named (which the actor must manage); else national for staff,
    the state of a coordinator of one state who leads no chapter, or the one chapter a leader leads."""
    scope = scope_for(actor)
    if chapter is not None:
        if not scope.manages_chapter(chapter):
            raise PermissionDenied("You do not manage this chapter.")
        return chapter_owner(chapter)
    if scope.national:
        return national_owner()
    if len(scope.coordinator_states) == 1 and not scope.led_chapter_ids:
        return state_owner(next(iter(scope.coordinator_states)))
    if len(scope.led_chapter_ids) == 1 and not scope.coordinator_states:
        return chapter_owner(Chapter.objects.get(pk=next(iter(scope.led_chapter_ids))))
    if not scope.is_leader_or_above:
        raise PermissionDenied("Only leaders, coordinators and staff keep lists.")
    raise ListOwnerUnclear("say which of your chapters the list is for")


def require_list_in_scope(people_list: PeopleList, actor: AnyUser) -> None:
    scope = scope_for(actor)
    if not scope.is_leader_or_above or not (scope.national or people_list.owner_id in scope.fact_owner_ids):
        raise PermissionDenied("This list is outside your scope.")


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError("give the list a name")
    if len(name) > NAME_LIMIT:
        raise ValueError(f"is longer than {NAME_LIMIT} characters")
    return name


def do_create_people_list(
    *, name: str, description: str = "", chapter: Chapter | None = None, actor: User
) -> PeopleList:
    """Make an empty list of the actor's owner (see ``owner_for_new_list``)."""
    owner = owner_for_new_list(actor, chapter)
    with transaction.atomic():
        made = PeopleList.objects.create(
            owner=owner, name=_clean_name(name), description=description.strip(), created_by=actor
        )
        record_audit(
            AuditEvent.PEOPLE_LIST_CREATED, actor=actor, target=made, summary=f"made the list {made.name!r}",
            details={"owner": owner.label, "uid": made.uid},
        )  # fmt: skip
    return made


def do_update_people_list(
    people_list: PeopleList, *, name: str | None = None, description: str | None = None, actor: User
) -> PeopleList:
    """Rename a list or change its description (what is not given stays as it was)."""
    require_list_in_scope(people_list, actor)
    changed: dict[str, list[str]] = {}
    with transaction.atomic():
        if name is not None and _clean_name(name) != people_list.name:
            changed["name"] = [people_list.name, _clean_name(name)]
            people_list.name = _clean_name(name)
        if description is not None and description.strip() != people_list.description:
            changed["description"] = [people_list.description, description.strip()]
            people_list.description = description.strip()
        if changed:
            people_list.save(update_fields=["name", "description", "updated_at"])
            record_audit(
                AuditEvent.PEOPLE_LIST_UPDATED, actor=actor, target=people_list,
                summary=f"changed the list {people_list.name!r}", details={"changed": changed},
            )  # fmt: skip
    return people_list


def do_delete_people_list(people_list: PeopleList, *, actor: User) -> None:
    """Delete a list and its items (the people themselves are untouched)."""
    require_list_in_scope(people_list, actor)
    with transaction.atomic():
        items = ListItem.objects.filter(people_list=people_list).count()
        record_audit(
            AuditEvent.PEOPLE_LIST_DELETED, actor=actor, target=people_list,
            summary=f"deleted the list {people_list.name!r}", details={"uid": people_list.uid, "items": items},
        )  # fmt: skip
        people_list.delete()


def owner_knows(owner: Owner, person: Person) -> bool:
    """Whether the owner has the person in sight: national knows everyone; any other owner its views."""
    if owner.kind == OwnerKind.NATIONAL:
        return True
    return PersonView.objects.filter(owner=owner, person=person).exists()


def do_add_to_people_list(
    people_list: PeopleList, person: Person, *, actor: User, via: str = Via.API, source: str = "API"
) -> tuple[ListItem, bool]:
    """Put a person on a list, once: (the item, whether it is new). A person out of the actor's sight is
    refused as if missing (PermissionDenied) and nothing changes."""
    require_list_in_scope(people_list, actor)
    if not people_visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("This person is outside your scope.")
    if not owner_knows(people_list.owner, person):
        raise PersonUnknownToOwner(f"{people_list.owner.label} does not know this person")
    existing = ListItem.objects.filter(people_list=people_list, person=person).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = ListItem.objects.create(
                people_list=people_list, person=person, owner_id=people_list.owner_id, via=via, source=source,
                recorded_at=timezone.now(), recorded_by=actor,
            )  # fmt: skip
            PeopleList.objects.filter(pk=people_list.pk).update(updated_at=item.recorded_at)
            record_audit(
                AuditEvent.PEOPLE_LIST_PERSON_ADDED, actor=actor, target=people_list,
                summary=f"put a person on the list {people_list.name!r}",
                details={"person_id": person.pk, "item": item.uid, "via": via},
            )  # fmt: skip
    except IntegrityError:
        # Two requests added the same person at once: the other one's item is the item.
        return ListItem.objects.get(people_list=people_list, person=person), False
    return item, True


def do_remove_from_people_list(item: ListItem, *, actor: User) -> None:
    """Take a person off a list (the actor must see both the list and the person)."""
    require_list_in_scope(item.people_list, actor)
    if not people_visible_to(actor).filter(pk=item.person_id).exists():
        raise PermissionDenied("This person is outside your scope.")
    with transaction.atomic():
        record_audit(
            AuditEvent.PEOPLE_LIST_PERSON_REMOVED, actor=actor, target=item.people_list,
            summary=f"took a person off the list {item.people_list.name!r}",
            details={"person_id": item.person_id, "item": item.uid},
        )  # fmt: skip
        item.delete()
        PeopleList.objects.filter(pk=item.people_list_id).update(updated_at=timezone.now())
