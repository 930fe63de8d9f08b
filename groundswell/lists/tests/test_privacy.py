"""A list of people tells no one about a person outside their sight, and no one changes another's list."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from groundswell.core.models import AuditEntry
from groundswell.lists import actions, selectors
from groundswell.lists.models import ListItem, PeopleList

pytestmark = pytest.mark.django_db


def test_another_chapters_leader_finds_no_such_list(personas):
    theirs = actions.do_create_people_list(name="Providence phones", actor=personas.leader_b)
    assert list(selectors.lists_visible_to(personas.leader_a)) == []
    with pytest.raises(Http404):
        selectors.get_people_list(personas.leader_a, theirs.uid)
    with pytest.raises(PermissionDenied):
        actions.do_update_people_list(theirs, name="Mine now", actor=personas.leader_a)
    with pytest.raises(PermissionDenied):
        actions.do_delete_people_list(theirs, actor=personas.leader_a)
    assert PeopleList.objects.get().name == "Providence phones"
    assert selectors.get_people_list(personas.leader_b, theirs.uid) == theirs


def test_people_out_of_sight_are_neither_shown_nor_counted(personas):
    mine = actions.do_create_people_list(name="Pittsburgh", actor=personas.leader_a)
    actions.do_add_to_people_list(mine, personas.member_a, actor=personas.leader_a)
    # No action puts someone a list's owner does not know on it; a plain row stands for one (a person whose
    # facts the chapter no longer holds, say).
    ListItem.objects.create(
        people_list=mine, person=personas.member_b, owner=mine.owner, via="api", recorded_at=mine.created_at
    )
    for reader in (personas.leader_a, personas.coordinator):
        assert [i.person for i in selectors.items_seen(reader, mine)] == [personas.member_a]
        assert selectors.get_people_list(reader, mine.uid).seen_items == 1
    assert selectors.get_people_list(personas.staff, mine.uid).seen_items == 2


def test_adding_someone_out_of_sight_changes_nothing(personas):
    mine = actions.do_create_people_list(name="Pittsburgh", actor=personas.leader_a)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_add_to_people_list(mine, personas.member_b, actor=personas.leader_a)
    with pytest.raises(actions.PersonUnknownToOwner):
        actions.do_add_to_people_list(mine, personas.member_b, actor=personas.staff)
    theirs = actions.do_create_people_list(name="Providence", actor=personas.leader_b)
    with pytest.raises(PermissionDenied):
        actions.do_add_to_people_list(theirs, personas.member_a, actor=personas.leader_a)
    assert not ListItem.objects.exists()
    assert AuditEntry.objects.count() == before + 1  # leader B's list, nothing else


def test_volunteers_keep_no_lists(personas):
    with pytest.raises(PermissionDenied):
        actions.do_create_people_list(name="Mine", actor=personas.volunteer)
    assert list(selectors.lists_visible_to(personas.volunteer)) == []
