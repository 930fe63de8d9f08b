"""Every side effect of field work, each in one transaction with its audit entry.

Reads of voter data are audited too (DESIGN.md): opening a turf or a call list writes FIELD_TURF_OPENED
or FIELD_CALL_LIST_OPENED, printing a walk sheet FIELD_WALK_SHEET_PRINTED.

Contacts arrive in sync batches from phones. ``do_submit_contacts`` is the hot path, all in one
transaction: one query for the user's live assignments (roles are read only for a turf not assigned to
them), one for the scripts named when answers came, then on PostgreSQL ONE statement that inserts the batch
(ON CONFLICT DO NOTHING on the phone's id), returns the receipts of new and earlier rows alike and writes
ONE audit entry per batch (not per contact); elsewhere the same in three statements.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groundswell.chapters.access import AnyUser
from groundswell.chapters.models import Chapter, Owner
from groundswell.chapters.owners import chapter_owner, state_owner
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEntry, AuditEvent, User
from groundswell.field import control, scripts, voterdata, walk
from groundswell.field.models import (
    DEFAULT_RESULTS,
    Assignment,
    CallList,
    CallListKind,
    Campaign,
    Contact,
    ControlGroup,
    ControlVoter,
    DoNotContact,
    Method,
    Result,
    Script,
    Turf,
    TurfCut,
)
from groundswell.field.selectors import LiveTarget, held_out_ids, live_targets_for_submission
from groundswell.people.facts import owners_reaching
from groundswell.people.models import Membership, MembershipStatus
from groundswell.people.selectors import callable_members
from groundswell.voters import engine as voter_engine
from groundswell.voters.models import VoterList

MAX_BATCH = 500


class FieldError(ValueError):
    """A request that cannot be done as asked; the message names the field."""


def _user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


# ---- campaigns and scripts ----------------------------------------------------------------------


def clean_results(results: Sequence[str]) -> list[str]:
    known = {r.value for r in Result if r != Result.CONTACTED}
    if unknown := [r for r in results if r not in known]:
        raise FieldError(f"results: unknown {', '.join(unknown)}")
    return [r.value for r in Result if r.value in set(results)]


def do_save_campaign(
    *, name: str, state: str, chapter: Chapter | None, actor: AnyUser, results: Sequence[str] = DEFAULT_RESULTS
) -> Campaign:
    name = name.strip()
    if not name:
        raise FieldError("name: give the campaign a name")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name[:160], state=(chapter.state if chapter else state).upper(), chapter=chapter,
            results=clean_results(results), created_by=_user(actor),
        )  # fmt: skip
        record_audit(AuditEvent.FIELD_CAMPAIGN_SAVED, actor=actor, target=campaign, summary=f"campaign {name}")
    return campaign


def do_save_script(
    campaign: Campaign, *, name: str, intro: str, questions: Sequence[Mapping[str, Any]], actor: AnyUser
) -> Script:
    """A new script for the campaign (the newest is the one in use); questions are checked first."""
    cleaned = scripts.clean_questions(questions)
    if not name.strip():
        raise FieldError("name: give the script a name")
    with transaction.atomic():
        script = Script.objects.create(campaign=campaign, name=name.strip()[:160], intro=intro, questions=cleaned)
        record_audit(
            AuditEvent.FIELD_SCRIPT_SAVED, actor=actor, target=script, summary=f"script {script.name} for {campaign}",
            details={"campaign": campaign.pk, "questions": cleaned},
        )  # fmt: skip
    return script


# ---- control group ------------------------------------------------------------------------------


def do_hold_out_control_group(voter_list: VoterList, share: float, seed: int, *, actor: AnyUser) -> ControlGroup:
    """Hold a random share of the list out (seeded, recorded): never cut into turf, never called."""
    if ControlGroup.objects.filter(voter_list=voter_list).exists():
        raise FieldError("control group: this list already has one")
    if voter_list.turfs.exists() or voter_list.call_lists.exists():
        raise FieldError("control group: hold it out before cutting turfs or making call lists from the list")
    held = control.draw_control_group(voterdata.list_voter_ids(voter_list.path), share, seed)
    with transaction.atomic():
        group = ControlGroup.objects.create(
            voter_list=voter_list, share=share, seed=seed, held_out=len(held), created_by=_user(actor)
        )
        ControlVoter.objects.bulk_create([ControlVoter(control_group=group, voter_id=v) for v in held], batch_size=2000)
        record_audit(
            AuditEvent.FIELD_CONTROL_GROUP_HELD_OUT, actor=actor, target=voter_list,
            summary=f"held out {len(held):,} of {voter_list.voter_count:,} voters of {voter_list.name}",
            details={"share": share, "seed": seed, "held_out": len(held), "control_group": group.pk},
        )  # fmt: skip
    return group


# ---- turfs --------------------------------------------------------------------------------------


def cut_list(
    voter_list: VoterList, target: int, unit: walk.SizeUnit
) -> tuple[list[walk.CutTurf], Counter[str], list[str]]:
    """The list (less its control group) cut into turfs, precinct by precinct, in walk order; and the
    voters left off every turf because nobody can knock at their door: counted by reason, and their ids."""
    keep = set(voterdata.list_voter_ids(voter_list.path)) - held_out_ids(voter_list)
    turfs: list[walk.CutTurf] = []
    left_off: Counter[str] = Counter()
    left_off_ids: list[str] = []
    with voter_engine.using_engine(voter_list.state) as engine:
        for precinct in voterdata.precincts_of(engine, sorted(keep)):
            found = walk.walkable(walk.door_dicts(voterdata.walk_doors(engine, precinct), keep))
            turfs.extend(walk.cut_precinct(precinct, found.doors, target, unit))
            left_off.update(found.left_off)
            left_off_ids.extend(found.left_off_ids)
    return turfs, left_off, left_off_ids


@dataclass(frozen=True)
class CutTurfs:
    """What cutting a list made: its turfs, and the record of the cut with the voters it left off."""

    turfs: list[Turf]
    cut: TurfCut


def do_cut_turfs(
    voter_list: VoterList, campaign: Campaign, *, target: int, unit: walk.SizeUnit, actor: AnyUser
) -> CutTurfs:
    if voter_list.state != campaign.state:
        raise FieldError("list: the list's state is not the campaign's")
    already_cut = "list: turfs were already cut from this list for this campaign"
    if Turf.objects.filter(voter_list=voter_list, campaign=campaign).exists():
        raise FieldError(already_cut)
    cut, left_off, left_off_ids = cut_list(voter_list, target, unit)
    with_phone = len(_voter_entries(voter_list, left_off_ids)) if left_off_ids else 0
    with transaction.atomic():
        try:
            # the record's one-per-list-and-campaign constraint refuses the rest: a cut running at the same
            # time, or a cut again of a list whose voters all had no door to knock (so no turfs)
            with transaction.atomic():
                record = TurfCut.objects.create(
                    voter_list=voter_list, campaign=campaign, target=target, unit=unit,
                    left_off=dict(sorted(left_off.items())), left_off_ids=left_off_ids,
                    left_off_with_phone=with_phone, created_by=_user(actor),
                )  # fmt: skip
        except IntegrityError:
            raise FieldError(already_cut) from None
        turfs = Turf.objects.bulk_create(
            [
                Turf(
                    voter_list=voter_list,
                    campaign=campaign,
                    number=number,
                    precinct=t.precinct,
                    name=f"{t.precinct} · {t.doors[0]['street'].title()} ({number})",
                    door_count=t.door_count,
                    voter_count=len(t.voter_ids),
                    doors=list(t.doors),
                    voter_ids=t.voter_ids,
                    created_by=_user(actor),
                )
                for number, t in enumerate(cut, start=1)
            ]
        )
        record_audit(
            AuditEvent.FIELD_TURFS_CUT, actor=actor, target=voter_list,
            summary=f"cut {len(turfs)} turfs of about {target} {unit} from {voter_list.name} for {campaign}",
            details={"campaign": campaign.pk, "target": target, "unit": unit, "turfs": len(turfs),
                     "voters": sum(t.voter_count for t in turfs), "left_off": record.left_off,
                     "left_off_with_phone": with_phone},
        )  # fmt: skip
    return CutTurfs(turfs, record)


# ---- call lists ---------------------------------------------------------------------------------


def _opted_out(owner: Owner | None = None) -> tuple[set[str], set[int], set[str]]:
    """Voters, people and numbers not to call. A voter or a number that asked not to be contacted is
    left off every list, whoever heard it (the request is the person's, made of the number); a
    person's request is their chapter's fact, and binds the owners it reaches (people/fold.py)."""
    rows = DoNotContact.objects.values_list("voter_id", "person_id", "phone", "owner_id")
    reaching = set(owners_reaching(owner)) if owner is not None else None
    voters = {v for v, _, _, _ in rows if v}
    people = {p for _, p, _, o in rows if p and (reaching is None or o is None or o in reaching)}
    return voters, people, {ph for _, _, ph, _ in rows if ph}


def _voter_entries(voter_list: VoterList, voter_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Call-list entries of the list's voters (or of these ``voter_ids`` of it) who can be called: never
    the list's control group, nor anyone who asked not to be contacted."""
    opted_out = _opted_out()
    ids = voterdata.list_voter_ids(voter_list.path) if voter_ids is None else voter_ids
    keep = set(ids) - held_out_ids(voter_list) - opted_out[0]
    with voter_engine.using_engine(voter_list.state) as engine:
        return _phone_entries(voterdata.phones_of(engine, sorted(keep)), opted_out)


def _phone_entries(
    voters: Iterable[Mapping[str, Any]], opted_out: tuple[set[str], set[int], set[str]] | None = None
) -> list[dict[str, Any]]:
    """Call-list entries of the voters who have a phone and never asked not to be contacted, once each."""
    no_voters, _, no_phones = opted_out or _opted_out()
    entries: dict[str, dict[str, Any]] = {}
    for v in voters:
        voter_id, phone = v["voter_id"], v.get("phone") or ""
        if phone and voter_id not in no_voters and phone not in no_phones:
            name = " ".join(p for p in (v.get("first_name"), v.get("last_name")) if p)
            entries.setdefault(voter_id, {"key": f"v:{voter_id}", "voter_id": voter_id, "phone": phone, "name": name})
    return list(entries.values())


def campaign_owner(campaign: Campaign) -> Owner:
    """Whose the campaign's facts are: its chapter's, else its state's."""
    return chapter_owner(campaign.chapter) if campaign.chapter is not None else state_owner(campaign.state)


def _member_entries(campaign: Campaign, method: str) -> list[dict[str, Any]]:
    """Live members with a phone, as the campaign's chapter (or state) knows them; never anyone who
    asked not to be contacted, and texts only to those who consented to the chapter's SMS."""
    owner = campaign_owner(campaign)
    _, no_people, no_phones = _opted_out(owner)
    members = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    members = (
        members.filter(chapter=campaign.chapter) if campaign.chapter else members.filter(chapter__state=campaign.state)
    )
    ids = set(members.values_list("person_id", flat=True)) - no_people
    return [
        {"key": f"p:{pid}", "person_id": pid, "name": name, "phone": phone}
        for pid, name, phone in callable_members(owner, ids, texts=method == Method.TEXT, excluded_phones=no_phones)
    ]


def do_make_call_list(
    campaign: Campaign, *, name: str, kind: str, method: str = Method.PHONE, voter_list: VoterList | None = None,
    actor: AnyUser,
) -> CallList:  # fmt: skip
    if method not in (Method.PHONE, Method.TEXT):
        raise FieldError("method: phone or text")
    if kind == CallListKind.VOTERS:
        if voter_list is None:
            raise FieldError("list: choose the voter list to call")
        entries = _voter_entries(voter_list)
    elif kind == CallListKind.MEMBERS:
        voter_list = None
        entries = _member_entries(campaign, method)
    else:
        raise FieldError("kind: voters or members")
    source = f"voter list {voter_list.pk}" if voter_list else "members"
    return _save_call_list(campaign, name, kind, method, voter_list, entries, source, actor)


def do_call_left_off(cut: TurfCut, *, actor: AnyUser) -> CallList:
    """A phone list of the voters a turf cut left off, nobody being able to knock at their door: those with
    a phone on file who never asked not to be contacted (the list's control group was never among them)."""
    entries = _voter_entries(cut.voter_list, cut.left_off_ids)
    if not entries:
        n = len(cut.left_off_ids)
        voters = "the voter" if n == 1 else f"the {n:,} voters"
        raise FieldError(f"call list: none of {voters} left off the turfs of {cut.voter_list.name} can be called: "
                         "no phone on file, or asked not to be contacted")  # fmt: skip
    return _save_call_list(
        cut.campaign, f"{cut.voter_list.name}: no door to knock", CallListKind.VOTERS, Method.PHONE,
        cut.voter_list, entries, f"the voters turf cutting left off {cut.voter_list.name}", actor,
    )  # fmt: skip


def do_make_call_list_of_voters(
    campaign: Campaign, *, name: str, voters: Sequence[Mapping[str, Any]], source: str, actor: AnyUser
) -> CallList:
    """A phone list of voters chosen elsewhere (the turnout app's chase list): each row gives voter_id,
    first_name, last_name and phone. Voters without a phone or who asked not to be contacted are left out."""
    return _save_call_list(
        campaign, name, CallListKind.VOTERS, Method.PHONE, None, _phone_entries(voters), source, actor
    )


def _save_call_list(
    campaign: Campaign, name: str, kind: str, method: str, voter_list: VoterList | None,
    entries: list[dict[str, Any]], source: str, actor: AnyUser,
) -> CallList:  # fmt: skip
    with transaction.atomic():
        call_list = CallList.objects.create(
            campaign=campaign, name=(name.strip() or f"{campaign.name} calls")[:160], kind=kind, method=method,
            voter_list=voter_list, entries=entries, entry_count=len(entries), created_by=_user(actor),
        )  # fmt: skip
        record_audit(
            AuditEvent.FIELD_CALL_LIST_MADE, actor=actor, target=call_list,
            summary=f"call list {call_list.name}: {len(entries):,} to {method}, from {source}",
            details={"campaign": campaign.pk, "kind": kind, "entries": len(entries),
                     "voter_list": voter_list.pk if voter_list else None, "source": source},
        )  # fmt: skip
    return call_list


# ---- assignments --------------------------------------------------------------------------------


def do_assign(
    volunteer: User, *, expires_at: datetime, turf: Turf | None = None, call_list: CallList | None = None,
    actor: AnyUser,
) -> Assignment:  # fmt: skip
    if (turf is None) == (call_list is None):
        raise FieldError("assignment: give a turf or a call list")
    if expires_at <= timezone.now():
        raise FieldError("expires: pick a time in the future")
    with transaction.atomic():
        assignment = Assignment.objects.create(
            volunteer=volunteer, turf=turf, call_list=call_list, expires_at=expires_at, assigned_by=_user(actor)
        )
        what = turf or call_list
        record_audit(
            AuditEvent.FIELD_ASSIGNED, actor=actor, target=assignment,
            summary=f"assigned {what} to {volunteer.email} until {timezone.localtime(expires_at):%Y-%m-%d %H:%M}",
            details={"volunteer": volunteer.pk, "turf": turf.pk if turf else None,
                     "call_list": call_list.pk if call_list else None, "expires_at": expires_at.isoformat()},
        )  # fmt: skip
    return assignment


def do_revoke_assignment(assignment: Assignment, *, actor: AnyUser) -> Assignment:
    with transaction.atomic():
        if assignment.revoked_at is None:
            assignment.revoked_at = timezone.now()
            assignment.save(update_fields=["revoked_at"])
            record_audit(
                AuditEvent.FIELD_ASSIGNMENT_REVOKED, actor=actor, target=assignment,
                summary=f"revoked {assignment.turf or assignment.call_list} from {assignment.volunteer.email}",
            )  # fmt: skip
    return assignment


# ---- audited reads ------------------------------------------------------------------------------


def do_open_turf(turf: Turf, *, actor: AnyUser, via: str = "canvass") -> Turf:
    with transaction.atomic():
        record_audit(
            AuditEvent.FIELD_TURF_OPENED, actor=actor, target=turf,
            summary=f"read {turf.voter_count} voters of turf {turf.name}",
            details={"turf": turf.pk, "voters": turf.voter_count, "via": via},
        )  # fmt: skip
    return turf


def do_open_call_list(call_list: CallList, *, actor: AnyUser) -> CallList:
    with transaction.atomic():
        record_audit(
            AuditEvent.FIELD_CALL_LIST_OPENED, actor=actor, target=call_list,
            summary=f"read {call_list.entry_count} entries of call list {call_list.name}",
            details={"call_list": call_list.pk, "entries": call_list.entry_count},
        )  # fmt: skip
    return call_list


def do_print_walk_sheet(turf: Turf, script: Script | None, *, actor: AnyUser) -> bytes:
    from groundswell.field.walksheet import walk_sheet_pdf

    pdf = walk_sheet_pdf(turf, script)
    with transaction.atomic():
        record_audit(
            AuditEvent.FIELD_WALK_SHEET_PRINTED, actor=actor, target=turf,
            summary=f"printed the walk sheet of {turf.name} ({turf.voter_count} voters)",
            details={"turf": turf.pk, "voters": turf.voter_count, "script": script.pk if script else None},
        )  # fmt: skip
    return pdf


# ---- contacts -----------------------------------------------------------------------------------


@dataclass
class Submission:
    """One result from a phone, checked for shape (not yet for access)."""

    index: int
    client_uuid: uuid.UUID
    turf_id: int | None
    call_list_id: int | None
    voter_id: str
    person_id: int | None
    script_id: int | None
    method: str
    result: str
    answers: dict[str, Any]
    do_not_contact: bool
    client_recorded_at: datetime | None


@dataclass
class SyncOutcome:
    """Receipts by client uuid ({"id", "received_at"}) and errors by client uuid (or item number)."""

    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    created: int = 0


def _int_or_none(value: Any, name: str, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FieldError(f"{where}.{name}: expected a whole number") from None


def parse_submission(index: int, raw: Any) -> Submission:
    where = f"contact {index + 1}"
    if not isinstance(raw, Mapping):
        raise FieldError(f"{where}: expected an object")
    try:
        client_uuid = uuid.UUID(str(raw.get("uuid")))
    except ValueError:
        raise FieldError(f"{where}.uuid: expected the id made on the phone (a UUID)") from None
    answers = raw.get("answers") or {}
    if not isinstance(answers, Mapping):
        raise FieldError(f"{where}.answers: expected an object")
    recorded = parse_datetime(str(raw["recorded_at"])) if raw.get("recorded_at") else None
    sub = Submission(
        index=index, client_uuid=client_uuid, turf_id=_int_or_none(raw.get("turf"), "turf", where),
        call_list_id=_int_or_none(raw.get("call_list"), "call_list", where), voter_id=str(raw.get("voter_id") or ""),
        person_id=_int_or_none(raw.get("person_id"), "person_id", where),
        script_id=_int_or_none(raw.get("script"), "script", where), method=str(raw.get("method") or ""),
        result=str(raw.get("result") or ""), answers=dict(answers), do_not_contact=bool(raw.get("do_not_contact")),
        client_recorded_at=recorded if recorded and recorded.tzinfo else None,
    )  # fmt: skip
    if (sub.turf_id is None) == (sub.call_list_id is None):
        raise FieldError(f"{where}: name the turf or the call list")
    if sub.method not in Method.values:
        raise FieldError(f"{where}.method: one of {', '.join(Method.values)}")
    return sub


def _check(sub: Submission, target: LiveTarget | None, script: Script | None) -> Contact:
    """The contact a submission makes, once its assignment, person, result and answers are checked."""
    where = f"contact {sub.index + 1}"
    if target is None:
        raise FieldError(f"{where}: no live assignment of this turf or call list to you")
    # A contact names exactly one voter or person of the turf or list: an id it was not given (a member
    # of another chapter) is refused, never stored against someone the canvasser may not see.
    if sub.voter_id and sub.person_id is not None:
        raise FieldError(f"{where}: name the voter or the person, not both")
    if target.turf_id is not None and sub.person_id is not None:
        raise FieldError(f"{where}.person_id: a turf's doors are voters; this person is not on it")
    if target.turf_id is not None and sub.voter_id not in target.members:
        raise FieldError(f"{where}.voter_id: not a voter of this turf")
    if target.call_list_id is not None and _entry_key(sub.voter_id, sub.person_id) not in target.members:
        raise FieldError(f"{where}: not on this call list")
    offered = [*target.results, *([Result.WRONG_NUMBER.value] if target.call_list_id is not None else [])]
    if sub.result != Result.CONTACTED and sub.result not in offered:
        raise FieldError(f"{where}.result: not one of this campaign's results")
    answers: dict[str, Any] = {}
    if sub.answers:
        if sub.result != Result.CONTACTED:
            raise FieldError(f"{where}.answers: only a contact who was reached has answers")
        if script is None or script.campaign_id != target.campaign_id:
            raise FieldError(f"{where}.script: not a script of this campaign")
        try:
            answers = scripts.clean_answers(script.questions, sub.answers)
        except scripts.ScriptError as error:
            raise FieldError(f"{where}: {error}") from None
    return Contact(
        client_uuid=sub.client_uuid, campaign_id=target.campaign_id, script=script if script and answers else None,
        voter_list_id=target.voter_list_id, state=target.state if sub.voter_id else "", voter_id=sub.voter_id,
        person_id=sub.person_id, turf_id=target.turf_id, call_list_id=target.call_list_id, method=sub.method,
        result=sub.result, answers=answers, do_not_contact=sub.do_not_contact,
        client_recorded_at=sub.client_recorded_at,
    )  # fmt: skip


def _entry_key(voter_id: str, person_id: int | None) -> str:
    return f"v:{voter_id}" if voter_id else f"p:{person_id}"


def do_submit_contacts(raw_items: Sequence[Any], *, actor: User) -> SyncOutcome:
    """Record a sync batch. Idempotent on each item's client uuid: a retry answers the receipt of the
    row already stored. A bad item is refused with a message naming it; the good ones are kept."""
    if len(raw_items) > MAX_BATCH:
        raise FieldError(f"contacts: at most {MAX_BATCH} in one sync")
    outcome = SyncOutcome()
    subs: list[Submission] = []
    for index, raw in enumerate(raw_items):
        try:
            subs.append(parse_submission(index, raw))
        except FieldError as error:
            key = str(raw.get("uuid")) if isinstance(raw, Mapping) and raw.get("uuid") else f"#{index + 1}"
            outcome.errors[key] = str(error)
    if not subs:
        return outcome
    now = timezone.now()
    with transaction.atomic():
        targets = live_targets_for_submission(
            actor, {s.turf_id for s in subs if s.turf_id}, {s.call_list_id for s in subs if s.call_list_id}, now
        )
        by_turf = {t.turf_id: t for t in targets if t.turf_id}
        by_list = {t.call_list_id: t for t in targets if t.call_list_id}
        script_ids = {s.script_id for s in subs if s.script_id and s.answers}
        scripts_by_id = {s.pk: s for s in Script.objects.filter(pk__in=script_ids)} if script_ids else {}
        contacts: list[Contact] = []
        for sub in subs:
            target = by_turf.get(sub.turf_id) if sub.turf_id else by_list.get(sub.call_list_id or 0)
            try:
                contact = _check(sub, target, scripts_by_id.get(sub.script_id or 0))
            except FieldError as error:
                outcome.errors[str(sub.client_uuid)] = str(error)
                continue
            contact.canvasser_id, contact.received_at = actor.pk, now
            contacts.append(contact)
        if contacts:
            phones = {k: v for t in targets for k, v in t.phones.items()}
            _store(contacts, actor, now, outcome, phones)
    return outcome


# One stored contact as a receipt needs it: the phone's id, our id, when it was received, by whom, and
# whether this sync made it.
StoredRow = tuple[uuid.UUID, int, datetime, int | None, bool]


def _store(contacts: list[Contact], actor: User, now: datetime, outcome: SyncOutcome, phones: dict[str, str]) -> None:
    first_of_each: dict[uuid.UUID, Contact] = {}
    for contact in contacts:  # a phone id sent twice in one batch: the first copy counts
        first_of_each.setdefault(contact.client_uuid, contact)
    unique = list(first_of_each.values())
    if connection.vendor == "postgresql":
        rows = _insert_contacts_postgresql(unique, actor, now)
    else:
        rows = _insert_contacts_portable(unique, actor, now)
    new: dict[uuid.UUID, int] = {}
    for client_uuid, pk, received_at, canvasser_id, made_now in rows:
        if canvasser_id != actor.pk:  # the id was already used by someone else's phone: not this contact
            outcome.errors[str(client_uuid)] = "uuid: already used for another contact"
            continue
        outcome.receipts[str(client_uuid)] = {"id": pk, "received_at": received_at.isoformat()}
        if made_now:
            new[client_uuid] = pk
    outcome.created = len(new)
    opted_out = [c for c in unique if c.do_not_contact and c.client_uuid in new]
    if opted_out:
        _record_do_not_contact(opted_out, new, actor, phones)


def _audit_contacts_recorded(new_ids: list[int], actor: User, now: datetime) -> None:
    record_audit(
        AuditEvent.FIELD_CONTACTS_RECORDED, actor=actor, summary=f"recorded {len(new_ids)} contacts",
        details={"contacts": new_ids, "received_at": now.isoformat()},
    )  # fmt: skip


def _insert_contacts_portable(contacts: list[Contact], actor: User, now: datetime) -> list[StoredRow]:
    # ON CONFLICT DO NOTHING on client_uuid: a retry stores nothing new. SQLite takes the write lock at
    # BEGIN (settings.py), so no other sync can insert between this and the read of the receipts.
    Contact.objects.bulk_create(contacts, ignore_conflicts=True)
    stored = Contact.objects.filter(client_uuid__in=[c.client_uuid for c in contacts]).values_list(
        "client_uuid", "pk", "received_at", "canvasser_id"
    )
    rows: list[StoredRow] = [(u, pk, at, by, at == now and by == actor.pk) for u, pk, at, by in stored]
    if new_ids := sorted(pk for _, pk, _, _, made_now in rows if made_now):
        _audit_contacts_recorded(new_ids, actor, now)
    return rows


# The PostgreSQL hot path in one round trip. The batch travels as one JSON document (one parameter, and
# the same statement text for any batch size), read into rows of the contact table's own type. All parts
# of a WITH see one snapshot, so ``earlier`` holds only rows stored before this statement, and ``made``
# only the rows it inserted; the audit entry is written from ``made`` (the same row record_audit would
# write) only when something was new.
CONTACTS_INSERT_SQL = """
WITH batch AS (
    SELECT * FROM jsonb_populate_recordset(NULL::{contact_table}, %s::jsonb)
), made AS (
    INSERT INTO {contact_table} ({columns}) SELECT {columns} FROM batch
    ON CONFLICT (client_uuid) DO NOTHING
    RETURNING client_uuid, id, received_at, canvasser_id
), earlier AS (
    SELECT client_uuid, id, received_at, canvasser_id FROM {contact_table}
    WHERE client_uuid IN (SELECT client_uuid FROM batch)
), audit AS (
    INSERT INTO {audit_table} (created_at, actor_id, event_type, target_type, target_id, summary, details)
    SELECT %s, %s, %s, '', '', 'recorded ' || count(*) || ' contacts',
           jsonb_build_object('contacts', jsonb_agg(id ORDER BY id), 'received_at', %s::text)
    FROM made HAVING count(*) > 0
)
SELECT client_uuid, id, received_at, canvasser_id, true FROM made
UNION ALL
SELECT client_uuid, id, received_at, canvasser_id, false FROM earlier
"""
_CONTACT_FIELDS = [f for f in Contact._meta.concrete_fields if not f.primary_key]


def _as_json(value: Any) -> Any:
    """A contact's value as PostgreSQL reads it back from JSON (full precision for times, unlike
    DjangoJSONEncoder's milliseconds)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _insert_contacts_postgresql(contacts: list[Contact], actor: User, now: datetime) -> list[StoredRow]:
    quote = connection.ops.quote_name
    sql = CONTACTS_INSERT_SQL.format(
        contact_table=quote(Contact._meta.db_table),
        columns=", ".join(quote(f.column) for f in _CONTACT_FIELDS),
        audit_table=quote(AuditEntry._meta.db_table),
    )
    batch = json.dumps([{f.column: _as_json(getattr(c, f.attname)) for f in _CONTACT_FIELDS} for c in contacts])
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch, now, actor.pk, int(AuditEvent.FIELD_CONTACTS_RECORDED), now.isoformat()])
        rows: list[StoredRow] = cursor.fetchall()
    # A retry racing its first copy: the other transaction committed after this statement's snapshot, so the
    # row is in neither part. Reading it again (a new snapshot) finds it.
    if missing := {c.client_uuid for c in contacts} - {row[0] for row in rows}:
        stored = Contact.objects.filter(client_uuid__in=missing).values_list(
            "client_uuid", "pk", "received_at", "canvasser_id"
        )
        rows += [(u, pk, at, by, False) for u, pk, at, by in stored]
    return rows


def _record_do_not_contact(
    contacts: list[Contact], new: dict[uuid.UUID, int], actor: User, phones: dict[str, str]
) -> None:
    campaigns = Campaign.objects.select_related("chapter").in_bulk({c.campaign_id for c in contacts})
    owners = {pk: campaign_owner(campaign) for pk, campaign in campaigns.items()}
    DoNotContact.objects.bulk_create(
        [
            DoNotContact(
                owner=owners[c.campaign_id],
                state=c.state,
                voter_id=c.voter_id,
                person_id=c.person_id,
                contact_id=new[c.client_uuid],
                phone=phones.get(_entry_key(c.voter_id, c.person_id), "") if c.call_list_id else "",
                reason="asked not to be contacted again",
                recorded_by=actor,
            )
            for c in contacts
        ]
    )
