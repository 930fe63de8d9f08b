"""The races and candidacies the pipeline writes into the power map.

The elections app creates races and candidacies only inside its whole-file importers; it has no
action for one filing. These few functions are the only place the pipeline (a recruit who files, a
reorganization drive's seats, historical endorsements) writes elections rows, so that when the
power map's result importers later load the same race they find the same rows by their natural keys
(election + office + party for a race, race + name + party for a candidacy) and fill in the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from groundswell.elections import offices as office_names
from groundswell.elections.actions import OfficeSpec, upsert_election, upsert_offices
from groundswell.elections.models import Candidacy, Election, Office, OfficeLevel, Outcome, Race
from groundswell.elections.parties import normalize_party
from groundswell.geo import ocd
from groundswell.geo.actions import district_spec, state_specs, upsert_divisions
from groundswell.geo.importing import ImportReport
from groundswell.geo.models import Division

# Levels usually elected on a nonpartisan ballot.
NONPARTISAN_LEVELS = (OfficeLevel.SCHOOL_BOARD, OfficeLevel.JUDICIAL, OfficeLevel.BALLOT_MEASURE)


def ensure_state_division(state: str) -> Division:
    divisions = upsert_divisions(state_specs(state), report=ImportReport())
    return divisions[next(s.ocd_id for s in state_specs(state) if s.state)]


def ensure_election(state: str, on: date, kind: str) -> Election:
    ensure_state_division(state)
    return upsert_election(state.lower(), on, kind, report=ImportReport())


def ensure_race(election: Election, office: Office, *, party: str = "") -> Race:
    race, _ = Race.objects.get_or_create(
        election=election, office=office, party=party, defaults={"seats": office.seats}
    )
    return race


def file_candidacy(race: Race, *, name: str, party: str = "") -> Candidacy:
    """The candidacy of ``name`` in ``race``: the existing one if the race already lists them.

    The party is spelled the way the power map's importers spell it ('DEM' -> 'Democratic'), because a
    results file finds its candidacy by race, name and party: a different spelling would be a second
    candidacy, and the recruit's would show no votes."""
    name, party = name.strip(), normalize_party(party)
    existing = Candidacy.objects.filter(race=race, name__iexact=name)
    match = existing.filter(party=party).first() or (existing.first() if not party else None)
    return match or Candidacy.objects.create(race=race, name=name, party=party)


def ensure_office(state: str, office_name: str, *, district: str = "", level: str = "") -> Office:
    """The office a name and district mean, found (or made) the way the power map's importers make it,
    so that a state house seat named here is the same row its lean and results hang on."""
    state = state.lower()
    kind = office_names.office_kind(office_name)
    state_division = ensure_state_division(state)
    divisions = {state_division.ocd_id: state_division}
    if kind is not None and kind.district_kind and district:
        spec = district_spec(state, kind.district_kind, district)
        divisions.update(upsert_divisions([*state_specs(state), spec], report=ImportReport()))
        number = ocd.district_number(district)
        name = (
            office_names.legislative_office_name(state, kind.chamber, number)
            if kind.chamber
            else f"{kind.title} {state.upper()}-{number}"
        )
        office_spec = OfficeSpec(spec.ocd_id, kind.role, name, kind.level, chamber=kind.chamber)
    elif kind is not None and kind.scope == "state":
        office_spec = OfficeSpec(state_division.ocd_id, kind.role, f"{ocd.state_name(state)} {kind.title}", kind.level)
    else:
        label = f"{office_name.strip()} {district.strip()}".strip()
        office_spec = OfficeSpec(
            state_division.ocd_id,
            ocd.ocd_slug(label),
            label,
            level or OfficeLevel.MUNICIPAL,
            partisan=level not in NONPARTISAN_LEVELS,
        )
    existing = Office.objects.filter(division=divisions[office_spec.division_ocd_id], role=office_spec.role).first()
    if existing is not None:
        return existing
    division = divisions[office_spec.division_ocd_id]
    # upsert_offices answers with every office of the division; ours is the one with this role.
    return upsert_offices([office_spec], divisions, report=ImportReport())[(division.pk, office_spec.role)]


def record_result(candidacy: Candidacy, outcome: str) -> None:
    """A result known from our own records (a historical file). A result the power map computed from
    precinct returns is never overwritten."""
    if candidacy.outcome == Outcome.PENDING and outcome != Outcome.PENDING:
        candidacy.outcome = outcome
        candidacy.save(update_fields=["outcome"])


@dataclass(frozen=True)
class RemovedRows:
    candidacies: int
    races: int
    elections: int
    results: int
    kept: int  # candidacies the file made that something else has come to use since: left in place


def remove_rows_a_file_made(
    *, candidacy_ids: list[int], race_ids: list[int], election_ids: list[int], result_ids: list[int]
) -> RemovedRows:
    """Take back what a historical file put in the power map: the candidacies it made (unless a recruit or
    precinct results now hang on them; the caller passes only those its own app no longer uses), then the
    races and elections it made that are left empty, and the results it recorded on candidacies that were
    already there (a result the power map counted from precinct returns stays)."""
    made = Candidacy.objects.filter(pk__in=candidacy_ids)
    free = made.filter(precinct_results__isnull=True, recruit__isnull=True)
    kept = made.count() - free.count()
    candidacies = free.count()
    free.delete()
    results = (
        Candidacy.objects.filter(pk__in=result_ids, precinct_results__isnull=True, votes__isnull=True)
        .exclude(outcome=Outcome.PENDING)
        .update(outcome=Outcome.PENDING)
    )
    empty_races = Race.objects.filter(pk__in=race_ids, candidacies__isnull=True, precinct_results__isnull=True)
    races = empty_races.count()
    empty_races.delete()
    empty_elections = Election.objects.filter(pk__in=election_ids, races__isnull=True)
    elections = empty_elections.count()
    empty_elections.delete()
    return RemovedRows(candidacies, races, elections, results, kept)
