"""Duplicate proposals kept in a table, so the duplicates page reads them instead of computing them.

Scoring everyone (dedupe.propose_duplicates) takes minutes at a national list's size, so a background
job does it and stores every pair above the threshold for everyone at once; a reader sees the stored
pairs whose two people are both in their scope (selectors.duplicate_proposals_for).

A refresh is incremental when it can: only people created or changed since the last refresh started
are rescored against their blocks, and every stored pair with one of them in it is replaced. A
merge or a "not the same person" drops its pair at once (actions.py), and readers skip pairs with a
merged or dismissed person anyway, so a pair never outlives the decision that ended it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.jobs import NoProgress, ProgressReporter, do_enqueue_job
from groundswell.core.models import AuditEvent, Job, JobStatus, User
from groundswell.people import dedupe
from groundswell.people.models import (
    DuplicateProposal,
    DuplicateRefresh,
    EmailAddress,
    NotDuplicate,
    Person,
    PhoneNumber,
)

REFRESH_DUPLICATES = "people.dedupe"
# When more than this share of everyone changed (a first big import), rescoring everyone is as quick
# and simpler; below FULL_REFRESH_MIN changed people, rescoring only them always wins.
FULL_REFRESH_SHARE = 0.2
FULL_REFRESH_MIN = 1000
_INSERT_BATCH = 2000


def can_refresh_duplicates(user: AnyUser) -> bool:
    """Proposals are computed for everyone at once, so only national staff start a refresh."""
    return scope_for(user).national


def last_refresh() -> DuplicateRefresh | None:
    return DuplicateRefresh.objects.filter(finished_at__isnull=False).order_by("-started_at", "-id").first()


def active_refresh_job() -> Job | None:
    """The refresh running now, else the one waiting for a worker."""
    active = Job.objects.filter(kind=REFRESH_DUPLICATES, status__in=(JobStatus.RUNNING, JobStatus.QUEUED))
    return active.order_by("-status", "created_at", "id").first()  # "running" sorts after "queued"


def people_changed_since(when: dt.datetime) -> QuerySet[Person]:
    """People created or changed at or after ``when``, merged ones included (their pairs must go).
    ``updated_at`` moves on every save and bulk update; a new email or phone may not touch the person."""
    new_contact = Q(pk__in=EmailAddress.objects.filter(created_at__gte=when).values("person_id")) | Q(
        pk__in=PhoneNumber.objects.filter(created_at__gte=when).values("person_id")
    )
    return Person.objects.filter(Q(updated_at__gte=when) | new_contact)


def _stored(proposals: list[dedupe.Proposal], computed_at: dt.datetime) -> list[DuplicateProposal]:
    return [
        DuplicateProposal(
            first_id=p.first.id, second_id=p.second.id, score=p.score, reasons=p.reasons, doubts=p.doubts,
            computed_at=computed_at,
        )
        for p in proposals
    ]  # fmt: skip


def _drop_ended_pairs() -> None:
    """Pairs with a merged person, or that someone said are two people, whenever they were stored."""
    dismissed = NotDuplicate.objects.filter(first=OuterRef("first"), second=OuterRef("second"))
    merged = Q(first__merged_into__isnull=False) | Q(second__merged_into__isnull=False)
    DuplicateProposal.objects.filter(merged | Q(Exists(dismissed))).delete()


def _is_full(full: bool, previous: DuplicateRefresh | None, changed: QuerySet[Person]) -> bool:
    if full or previous is None:
        return True
    changed_count = changed.count()
    return changed_count > FULL_REFRESH_MIN and changed_count > FULL_REFRESH_SHARE * Person.objects.live().count()


def do_refresh_duplicate_proposals(
    *, actor: AnyUser | None, full: bool = False, job: Job | None = None, progress: ProgressReporter | None = None
) -> DuplicateRefresh:
    """Rescore who changed since the last refresh (everyone when ``full`` or the first time) and store
    the proposals, replacing every stored pair one of them is in. Writes one audit entry."""
    progress = progress or NoProgress()
    started_at = timezone.now()
    previous = last_refresh()
    changed = people_changed_since(previous.started_at) if previous is not None else Person.objects.all()
    full = _is_full(full, previous, changed)
    rescored = Person.objects.live().count() if full else changed.count()
    proposals = dedupe.propose_duplicates(Person.objects.live(), touching=None if full else changed, progress=progress)
    progress.phase("Saving", total=None)
    with transaction.atomic():
        stale = DuplicateProposal.objects.all()
        if not full:
            stale = stale.filter(Q(first__in=changed.values("pk")) | Q(second__in=changed.values("pk")))
        stale.delete()
        DuplicateProposal.objects.bulk_create(_stored(proposals, started_at), batch_size=_INSERT_BATCH)
        _drop_ended_pairs()
        refresh = DuplicateRefresh.objects.create(
            started_at=started_at, finished_at=timezone.now(), full=full, people_rescored=rescored,
            proposals=DuplicateProposal.objects.count(), job=job,
        )  # fmt: skip
        record_audit(
            AuditEvent.DUPLICATES_REFRESHED, actor=actor, target=refresh,
            summary=f"{'rescored everyone' if full else f'rescored {rescored} changed people'}: "
                    f"{refresh.proposals} proposals",
            details={"full": full, "people_rescored": rescored, "proposals": refresh.proposals,
                     "found_now": len(proposals)},
        )  # fmt: skip
    return refresh


def do_queue_duplicate_refresh(*, actor: AnyUser | None, full: bool = False) -> Job:
    """Queue a refresh, unless one is already waiting (it will see the same changes); a full one asked
    for while an incremental one waits makes the waiting one full."""
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        waiting = (
            Job.objects.select_for_update()
            .filter(kind=REFRESH_DUPLICATES, status=JobStatus.QUEUED)
            .order_by("created_at", "id")
            .first()
        )
        if waiting is None:
            return do_enqueue_job(REFRESH_DUPLICATES, {"full": full}, actor=user)
        if full and not waiting.params.get("full"):
            waiting.params = {**waiting.params, "full": True}
            waiting.save(update_fields=["params"])
    return waiting


def propose_pairs(person: Person, others: list[int]) -> None:
    """Store the pairs a write found sharing a phone number or an address with someone else, for a
    human to decide (neither merges on its own; dedupe scores a shared one up to the proposal
    threshold). A value shared by MAX_BLOCK people or more says nothing (a test number) and proposes none."""
    if not others or len(others) >= dedupe.MAX_BLOCK:
        return
    dismissed = set(
        NotDuplicate.objects.filter(
            Q(first=person, second__in=others) | Q(second=person, first__in=others)
        ).values_list("first_id", "second_id")
    )
    loaded = dedupe.load_candidates([person.pk, *others])
    now = timezone.now()
    for other in others:
        first, second = sorted((person.pk, other))
        if (first, second) in dismissed:
            continue
        match = dedupe.score_pair(loaded[first], loaded[second])
        DuplicateProposal.objects.update_or_create(
            first_id=first, second_id=second,
            defaults={"score": match.score, "reasons": match.reasons, "doubts": match.doubts, "computed_at": now},
        )  # fmt: skip


def drop_proposals_of(person_ids: list[int]) -> None:
    """Called by a merge: a merged record's pairs end with it (the survivor's are rescored next refresh)."""
    DuplicateProposal.objects.filter(Q(first_id__in=person_ids) | Q(second_id__in=person_ids)).delete()


def drop_proposal(first_id: int, second_id: int) -> None:
    low, high = sorted((first_id, second_id))
    DuplicateProposal.objects.filter(first_id=low, second_id=high).delete()
