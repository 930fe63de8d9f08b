"""Every change to reorganization drives: the drive, its dates and rules, and the seats in play."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections.actions import OfficeSpec, upsert_offices
from groundswell.elections.models import ElectionKind, Office, OfficeLevel
from groundswell.geo import ocd
from groundswell.geo.importing import ImportReport
from groundswell.geo.models import Division, DivisionKind
from groundswell.recruitment.candidacies import ensure_election, ensure_race, ensure_state_division
from groundswell.reorg.models import DriveDate, DriveOffice, ReorganizationDrive, ReorgRule, Tier

PRECINCT_COMMITTEE_ROLE = "precinct_committee"


def _require_state(state: str, actor: AnyUser) -> None:
    scope = scope_for(actor)
    if not (scope.national or state.upper() in scope.coordinator_states):
        raise PermissionDenied("Only national staff and the state's coordinator run its drive.")


def do_create_drive(
    *,
    name: str,
    state: str,
    party: str,
    election_date: dt.date,
    filing_opens: dt.date | None = None,
    filing_deadline: dt.date | None = None,
    reorganization_date: dt.date | None = None,
    notes: str = "",
    actor: User,
) -> ReorganizationDrive:
    state = state.upper()
    _require_state(state, actor)
    if filing_opens and filing_deadline and filing_deadline < filing_opens:
        raise ValidationError({"filing_deadline": "The filing deadline comes after filing opens."})
    with transaction.atomic():
        election = ensure_election(state, election_date, ElectionKind.PARTY_REORGANIZATION)
        drive = ReorganizationDrive.objects.create(
            name=name.strip(),
            state=state,
            party=party.strip(),
            election=election,
            filing_opens=filing_opens,
            filing_deadline=filing_deadline,
            reorganization_date=reorganization_date,
            notes=notes,
            created_by=actor,
        )
        record_audit(AuditEvent.DRIVE_CREATED, actor=actor, target=drive, summary=f"drive {drive} ({state})")
    return drive


def do_add_drive_date(
    drive: ReorganizationDrive, *, label: str, on: dt.date, county: str = "", is_deadline: bool = False, actor: User
) -> DriveDate:
    _require_state(drive.state, actor)
    with transaction.atomic():
        date = DriveDate.objects.create(
            drive=drive, label=label.strip(), on=on, county=county.strip(), is_deadline=is_deadline
        )
        record_audit(AuditEvent.DRIVE_DATE_ADDED, actor=actor, target=drive, summary=f"{drive}: {date}")
    return date


def do_save_reorg_rule(
    drive: ReorganizationDrive,
    *,
    county: str = "",
    seats_per_precinct: int,
    selection: str,
    eligibility: str = "",
    signatures_required: int = 0,
    source_url: str = "",
    actor: User,
) -> ReorgRule:
    _require_state(drive.state, actor)
    if seats_per_precinct < 1:
        raise ValidationError({"seats_per_precinct": "A precinct has at least one seat."})
    with transaction.atomic():
        rule, _ = ReorgRule.objects.update_or_create(
            drive=drive,
            county=county.strip(),
            defaults={
                "seats_per_precinct": seats_per_precinct,
                "selection": selection,
                "eligibility": eligibility,
                "signatures_required": signatures_required,
                "source_url": source_url,
            },
        )
        record_audit(AuditEvent.REORG_RULE_SAVED, actor=actor, target=drive, summary=f"{drive}: rule {rule}")
    return rule


def rule_for(drive: ReorganizationDrive, area: str) -> ReorgRule | None:
    """The area's own rule, else the statewide one."""
    rules = {r.county.lower(): r for r in drive.rules.all()}
    return rules.get(area.lower()) or rules.get("")


def _precinct_area(precinct: Division) -> str:
    """The county (or, where the party organizes by town, as in Rhode Island, the town) of a precinct."""
    return precinct.parent.name if precinct.parent is not None and precinct.parent.kind != DivisionKind.STATE else ""


def do_add_precinct_seats(drive: ReorganizationDrive, *, area: str = "", actor: User) -> int:
    """Put every precinct committee of the state (or of one county or town) in play, with as many
    seats as the rule for its area gives. Returns how many precinct committees were added."""
    _require_state(drive.state, actor)
    precincts = Division.objects.filter(state=drive.state, kind=DivisionKind.PRECINCT).select_related("parent")
    if area:
        precincts = precincts.filter(parent__name__iexact=area)
    precincts = precincts.order_by("ocd_id")
    if not precincts:
        raise ValidationError("No precincts are loaded for this state (or area): import boundaries or results first.")
    specs, areas = [], {}
    for precinct in precincts:
        place = _precinct_area(precinct)
        rule = rule_for(drive, place)
        if rule is None:
            raise ValidationError("Add the statewide rule (seats per precinct) before adding seats.")
        specs.append(
            OfficeSpec(
                precinct.ocd_id,
                PRECINCT_COMMITTEE_ROLE,
                f"{precinct.name} {drive.party} precinct committee",
                OfficeLevel.PARTY,
                seats=rule.seats_per_precinct,
                source=f"reorganization drive {drive.pk}",
            )
        )
        areas[precinct.ocd_id] = place
    with transaction.atomic():
        every_office = upsert_offices(specs, {p.ocd_id: p for p in precincts}, report=ImportReport())
        # upsert_offices answers with every office of those precincts; the committees are the drive's.
        offices = {key: o for key, o in every_office.items() if key[1] == PRECINCT_COMMITTEE_ROLE}
        added = _put_in_play(
            drive,
            offices.values(),
            Tier.PRECINCT,
            {o.pk: areas[o.division.ocd_id] for o in _with_divisions(offices.values())},
        )
        record_audit(
            AuditEvent.DRIVE_OFFICES_ADDED,
            actor=actor,
            target=drive,
            summary=f"{drive}: {added} precinct committees in play{f' in {area}' if area else ''}",
        )
    return added


def _with_divisions(offices: Iterable[Office]) -> list[Office]:
    return list(Office.objects.filter(pk__in=[o.pk for o in offices]).select_related("division"))


def _put_in_play(drive: ReorganizationDrive, offices: Iterable[Office], tier: str, areas: dict[int, str]) -> int:
    added = 0
    for office in offices:
        ensure_race(drive.election, office)
        _, created = DriveOffice.objects.get_or_create(
            drive=drive, office=office, defaults={"tier": tier, "county": areas.get(office.pk, "")}
        )
        added += created
    return added


def do_add_leadership_office(
    drive: ReorganizationDrive, *, tier: str, seats: int = 1, area: str = "", actor: User
) -> DriveOffice:
    """A leadership office in play: state chair, vice chair, national committee members, a county officer."""
    _require_state(drive.state, actor)
    if tier == Tier.PRECINCT or tier not in Tier.values:
        raise ValidationError({"tier": "Choose a leadership office."})
    label = f"{ocd.state_name(drive.state)} {drive.party} Party {Tier(tier).label.removeprefix('State ').capitalize()}"
    if area:
        label = f"{area} {drive.party} {Tier(tier).label}"
    with transaction.atomic():
        state_division = ensure_state_division(drive.state)
        role = f"party_{tier}" + (f"_{ocd.ocd_slug(area)}" if area else "")
        spec = OfficeSpec(
            state_division.ocd_id,
            role,
            label,
            OfficeLevel.PARTY,
            seats=seats,
            source=f"reorganization drive {drive.pk}",
        )
        offices = upsert_offices([spec], {state_division.ocd_id: state_division}, report=ImportReport())
        office = offices[(state_division.pk, role)]
        ensure_race(drive.election, office)
        drive_office, _ = DriveOffice.objects.get_or_create(
            drive=drive, office=office, defaults={"tier": tier, "county": area}
        )
        record_audit(AuditEvent.DRIVE_OFFICES_ADDED, actor=actor, target=drive, summary=f"{drive}: {label} in play")
    return drive_office
