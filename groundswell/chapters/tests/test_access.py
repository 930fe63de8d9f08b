"""The one access mechanism: what each role's scope lets through."""

from __future__ import annotations

import pytest
from django.db.models import Q

from groundswell.chapters.access import scope_for
from groundswell.chapters.actions import do_revoke_role
from groundswell.chapters.models import Chapter, Owner, RoleGrant
from groundswell.chapters.owners import national_owner
from groundswell.people.models import TimelineEntry, TimelineKind
from groundswell.people.selectors import timeline_of

pytestmark = pytest.mark.django_db


def test_each_role_resolves_to_its_scope(personas):
    assert scope_for(personas.staff).national
    assert scope_for(personas.coordinator).coordinator_states == {"PA"}
    assert scope_for(personas.leader_a).led_chapter_ids == {personas.chapter_a.pk}
    assert scope_for(personas.volunteer).volunteer_chapter_ids == {personas.chapter_a.pk}
    assert not scope_for(personas.volunteer).is_leader_or_above
    assert scope_for(personas.partner).partner_organizations == {"Sunrise Allies"}


def test_chapters_in_scope_per_role(personas):
    def slugs(user):
        return set(Chapter.objects.filter(scope_for(user).chapters_q()).values_list("slug", flat=True))

    assert slugs(personas.staff) == {"pittsburgh", "providence"}
    assert slugs(personas.coordinator) == {"pittsburgh"}
    assert slugs(personas.leader_b) == {"providence"}


def test_staff_scope_stays_everything_when_or_ed_with_another_condition(personas):
    """An empty Q() disappears from "a | Q()"; the staff filters must not."""
    either = Q(owner__kind="national") | scope_for(personas.staff).owner_q()
    entries = TimelineEntry.objects.filter(either)
    assert entries.count() == TimelineEntry.objects.count() > 0
    assert entries.exclude(owner__kind="national").exists()
    memberships = Chapter.objects.filter(Q(slug="nowhere") | scope_for(personas.staff).chapters_q())
    assert memberships.count() == Chapter.objects.count() == 2


def test_each_role_sees_the_facts_of_its_owners(personas):
    def owners(user):
        scope = scope_for(user)
        return {Owner.objects.get(pk=pk).label for pk in scope.fact_owner_ids}

    assert owners(personas.leader_a) == {"Pittsburgh Groundswell"}
    assert owners(personas.coordinator) == {"Pittsburgh Groundswell", "Pennsylvania coordinators"}
    assert {Owner.objects.get(pk=pk).label for pk in scope_for(personas.coordinator).view_owner_ids} == {
        "Pennsylvania coordinators"
    }
    assert owners(personas.volunteer) == owners(personas.partner) == set()


def test_staff_see_every_timeline_entry_of_a_person(personas):
    TimelineEntry.objects.create(
        person=personas.member_a, kind=TimelineKind.NOTE, occurred_at=personas.member_a.created_at, summary="Called",
        owner=national_owner(),
    )  # fmt: skip
    summaries = {entry.summary for entry in timeline_of(personas.staff, personas.member_a)}
    assert {"Called", "Joined Pittsburgh Groundswell"} <= summaries
    leaders = {entry.summary for entry in timeline_of(personas.leader_a, personas.member_a)}
    assert "Called" not in leaders and "Joined Pittsburgh Groundswell" in leaders  # national's is national's


def test_a_revoked_role_no_longer_counts(personas):
    grant = RoleGrant.objects.get(user=personas.leader_a)
    do_revoke_role(grant, actor=personas.staff)
    personas.leader_a.refresh_from_db()
    fresh = type(personas.leader_a).objects.get(pk=personas.leader_a.pk)
    assert scope_for(fresh).led_chapter_ids == frozenset()
