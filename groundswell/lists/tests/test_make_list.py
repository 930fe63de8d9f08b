"""The make_list command: a list made outside the API, with the same owner and the same scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from groundswell.lists.models import ListItem, PeopleList

pytestmark = pytest.mark.django_db


def make_list(*args: str) -> str:
    out = StringIO()
    call_command("make_list", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_leader_makes_a_list_of_their_own_people(personas):
    printed = make_list("leader.a@example.org", "--name", "Canvassers", "--add", "maria@example.net")
    made = PeopleList.objects.get()
    assert printed.strip() == f"{made.uid} 'Canvassers' (Pittsburgh Groundswell): 1 people"
    assert [item.person for item in ListItem.objects.filter(people_list=made)] == [personas.member_a]
    assert ListItem.objects.get().recorded_by == personas.leader_a


def test_someone_out_of_sight_stops_the_command_before_anything_is_made(personas):
    with pytest.raises(CommandError, match="no one with this address in sight"):
        make_list("leader.a@example.org", "--name", "Mixed", "--add", "maria@example.net", "--add", "ben@example.net")
    with pytest.raises(CommandError, match="does not run a chapter"):
        make_list("leader.a@example.org", "--name", "Theirs", "--chapter", "providence")
    with pytest.raises(CommandError, match="Only leaders"):
        make_list("volunteer@example.org", "--name", "Mine")
    assert not PeopleList.objects.exists()
