"""Every change to offices, elections and results: the Open States and OpenElections imports and
the precinct votes carried in a boundary file. Each import is one transaction: all or nothing."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections import offices as office_names
from groundswell.elections.models import (
    Candidacy,
    Election,
    ElectionKind,
    Office,
    OfficeLevel,
    Outcome,
    PrecinctResult,
    Race,
    Term,
)
from groundswell.elections.openelections import ResultRow, read_results
from groundswell.elections.openstates import LegislatorRow
from groundswell.elections.parties import is_known_party
from groundswell.geo import ocd
from groundswell.geo.actions import (
    DivisionSpec,
    district_spec,
    link_precincts,
    read_geojson,
    state_specs,
    upsert_divisions,
)
from groundswell.geo.importing import ImportRejected, ImportReport, ProgressFn, RowError, no_progress, sync_rows
from groundswell.geo.models import Division, DivisionKind

# ---------------------------------------------------------------- offices and elections


@dataclass(frozen=True)
class OfficeSpec:
    division_ocd_id: str
    role: str
    name: str
    level: str
    chamber: str = ""
    seats: int | None = 1
    term_years: int | None = None
    partisan: bool = True
    source: str = ""


def upsert_offices(
    specs: list[OfficeSpec], divisions: dict[str, Division], *, report: ImportReport
) -> dict[Any, Office]:
    """Offices by (division id, role), inserted or updated to match the specs. A spec's None seats or
    term length leaves what is stored (a results file does not know how many seats a district has);
    the source names the import that first brought the office."""
    division_ids = {divisions[s.division_ocd_id].pk for s in specs}
    existing = {(o.division_id, o.role): o for o in Office.objects.filter(division_id__in=division_ids)}
    desired: dict[Any, dict[str, Any]] = {}
    inserts: dict[Any, dict[str, Any]] = {}
    for s in specs:
        key = (divisions[s.division_ocd_id].pk, s.role)
        values = {
            "name": s.name,
            "level": s.level,
            "chamber": s.chamber,
            "partisan": s.partisan,
            "seats": s.seats,
            "term_years": s.term_years,
        }
        desired[key] = {k: v for k, v in values.items() if v is not None}
        inserts[key] = {"seats": s.seats or 1, "term_years": s.term_years, "source": s.source}
    return sync_rows(
        Office,
        existing,
        desired,
        report=report,
        label="offices",
        make=lambda key, values: Office(division_id=key[0], role=key[1], **(inserts[key] | values)),
    )


def upsert_election(state: str, on: date, kind: str, *, report: ImportReport) -> Election:
    division = Division.objects.get(ocd_id=ocd.state_ocd_id(state))
    label = ElectionKind(kind).label if kind in ElectionKind.values else kind.title()
    election, created = Election.objects.get_or_create(
        division=division,
        date=on,
        kind=kind,
        defaults={"name": f"{ocd.state_name(state)} {on.year} {label}"},
    )
    report.count("inserted" if created else "unchanged", "elections")
    return election


# ---------------------------------------------------------------- Open States legislators


def do_import_legislators(
    rows: list[LegislatorRow],
    *,
    source_name: str,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
    actor: User | None,
) -> ImportReport:
    """Offices, current terms and party of every legislator in ``rows``. A sitting term missing from
    the file (for a state and chamber the file covers) is ended today: the legislator left."""
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    today = timezone.localdate()
    with transaction.atomic():
        progress("divisions", 0, len(rows))
        divisions = upsert_divisions(_legislator_division_specs(rows, source_name), report=report)
        progress("offices", len(rows) // 3, len(rows))
        offices = upsert_offices(_legislator_office_specs(rows, source_name), divisions, report=report)
        progress("terms", 2 * len(rows) // 3, len(rows))
        _sync_terms(rows, divisions, offices, today=today, source=source_name, report=report)
        progress("done", len(rows), len(rows))
        record_audit(
            AuditEvent.LEGISLATORS_IMPORTED,
            actor=actor,
            summary=f"imported legislators from {source_name}: {report.summary()}",
            details=report.as_dict(),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _legislator_division_specs(rows: list[LegislatorRow], source: str) -> list[DivisionSpec]:
    specs: dict[str, DivisionSpec] = {}
    for state in sorted({r.state for r in rows}):
        specs.update({s.ocd_id: s for s in state_specs(state)})
    for row in rows:
        ocd_id, kind, _ = office_names.legislative_division(row.state, row.chamber, row.district)
        if kind in ("sldl", "sldu"):
            specs.setdefault(ocd_id, district_spec(row.state, kind, row.district, source=source))
        elif kind == DivisionKind.WARD:
            specs.setdefault(
                ocd_id,
                DivisionSpec(
                    ocd_id,
                    kind,
                    f"{row.state.upper()} {row.district}",
                    row.state.upper(),
                    ocd.state_ocd_id(row.state),
                    source=source,
                ),
            )
    return list(specs.values())


def _legislator_office_specs(rows: list[LegislatorRow], source: str) -> list[OfficeSpec]:
    members = Counter(office_names.legislative_division(r.state, r.chamber, r.district)[::2] for r in rows)
    specs = {}
    for row in rows:
        ocd_id, _, role = office_names.legislative_division(row.state, row.chamber, row.district)
        specs[(ocd_id, role)] = OfficeSpec(
            ocd_id,
            role,
            office_names.legislative_office_name(row.state, row.chamber, row.district),
            OfficeLevel.STATE_LEGISLATURE,
            chamber=row.chamber,
            seats=members[(ocd_id, role)],
            term_years=office_names.legislative_term_years(row.state, row.chamber),
            partisan=row.state != "ne",  # Nebraska's legislature is elected on a nonpartisan ballot
            source=source,
        )
    return list(specs.values())


def _sync_terms(
    rows: list[LegislatorRow],
    divisions: dict[str, Division],
    offices: dict[Any, Office],
    *,
    today: date,
    source: str,
    report: ImportReport,
) -> None:
    covered = {(r.state.upper(), r.chamber) for r in rows}
    current = Term.objects.filter(end_date__isnull=True, office__level=OfficeLevel.STATE_LEGISLATURE)
    existing: dict[Any, Term] = {}
    for term in current.select_related("office__division"):
        if (term.office.division.state, term.office.chamber) in covered:
            existing[(term.office_id, term.ocd_person_id)] = term
    desired = {}
    for row in rows:
        ocd_id, _, role = office_names.legislative_division(row.state, row.chamber, row.district)
        office = offices[(divisions[ocd_id].pk, role)]
        desired[(office.pk, row.ocd_person_id)] = {
            "holder_name": row.name,
            "party": row.party,
            "start_date": row.start_date,
            "email": row.email,
            "phone": row.phone,
            "source": source,
        }
    departed = [term for key, term in existing.items() if key not in desired]
    sync_rows(
        Term,
        existing,
        desired,
        report=report,
        label="terms",
        make=lambda key, values: Term(office_id=key[0], ocd_person_id=key[1], **values),
    )
    for term in departed:
        term.end_date = today
    Term.objects.bulk_update(departed, ["end_date"])
    if departed:
        report.count("updated", "terms ended", len(departed))


# ---------------------------------------------------------------- OpenElections precinct results


def do_import_results(
    handle: IO[str],
    *,
    state: str,
    election_date: date,
    kind: str,
    county: str = "",
    source_name: str,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
    actor: User | None,
) -> ImportReport:
    """Races, candidacies and precinct results of one OpenElections file; precincts are placed in the
    districts their district-office rows name. Candidacy totals and outcomes are recomputed."""
    progress("reading", 0, None)
    parsed = read_results(handle, default_county=county)
    state = state.lower()
    rows = parsed.rows
    district_errors = _district_errors(rows, state)
    if district_errors:
        raise ImportRejected(district_errors)
    report = ImportReport(rows=len(parsed.rows) + sum(parsed.skipped.values()), dry_run=dry_run)
    report.skipped = dict(parsed.skipped)
    report.notes.extend(_unknown_party_notes(rows))
    with transaction.atomic():
        progress("divisions", 0, len(rows))
        divisions = upsert_divisions(_result_division_specs(rows, state, source_name), report=report)
        election = upsert_election(state, election_date, kind, report=report)
        office_keys = _office_specs_by_line(rows, state, source_name)
        offices = upsert_offices(
            list({(s.division_ocd_id, s.role): s for s in office_keys.values()}.values()), divisions, report=report
        )
        races = _upsert_races(election, offices.values(), report=report)
        candidacies = _upsert_candidacies(rows, office_keys, divisions, offices, races, report=report)
        progress("precinct results", 0, len(rows))
        _sync_precinct_results(
            rows, state, office_keys, divisions, offices, races, candidacies, election, report=report, progress=progress
        )
        _link_precincts_from_rows(rows, state, office_keys, divisions, source_name, election_date, report=report)
        refresh_candidacy_totals(list(races.values()), election_date=election_date)
        record_audit(
            AuditEvent.RESULTS_IMPORTED,
            actor=actor,
            target=election,
            summary=f"imported results from {source_name}: {report.summary()}",
            details=report.as_dict(),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _district_errors(rows: list[ResultRow], state: str) -> list[RowError]:
    """A district office's row must say which district: a blank one is an at-large U.S. House seat
    only in a state that elects its member at large."""
    errors = []
    for row in rows:
        kind = office_names.office_kind(row.office)
        if kind is None or not kind.district_kind or not office_names.is_at_large(row.district):
            continue
        if kind.district_kind == "cd" and office_names.at_large_house_seat(state, row.district):
            continue
        if kind.chamber and row.district.strip().lower() in {"at-large", "at large"}:
            continue
        shown = repr(row.district) if row.district else "empty"
        if kind.district_kind == "cd":
            problem = f"is {shown}, but {ocd.state_name(state)} elects its U.S. House members by district"
        else:
            problem = f"is {shown}: a {row.office} row needs its district number"
        errors.append(RowError(row.line, "district", problem))
    return errors


def _unknown_party_notes(rows: list[ResultRow]) -> list[str]:
    first_seen: dict[str, int] = {}
    for row in rows:
        if row.party_as_written and row.party_as_written not in first_seen and not is_known_party(row.party_as_written):
            first_seen[row.party_as_written] = row.line
    if not first_seen:
        return []
    listed = ", ".join(f"{raw!r} (first on row {line})" for raw, line in sorted(first_seen.items()))
    return [f"party spellings not recognized, kept as written: {listed}"]


def _office_specs_by_line(rows: list[ResultRow], state: str, source: str) -> dict[int, OfficeSpec]:
    """Each row's office; worked out once per office, district and county, not once per row."""
    specs: dict[tuple[str, str, str, bool], OfficeSpec] = {}
    by_line = {}
    for row in rows:
        key = (row.office, row.district, row.county, row.candidate.lower() in {"yes", "no", "for", "against"})
        if key not in specs:
            specs[key] = _result_office(row, state, source)
        by_line[row.line] = specs[key]
    return by_line


@lru_cache(maxsize=1024)
def _precinct_parent(state: str, county: str) -> str:
    return ocd.county_ocd_id(state, county)


def _result_division_specs(rows: list[ResultRow], state: str, source: str) -> list[DivisionSpec]:
    specs = {s.ocd_id: s for s in state_specs(state)}
    for row in rows:
        county_id = _precinct_parent(state, row.county)
        if county_id not in specs:
            specs[county_id] = DivisionSpec(
                county_id, DivisionKind.COUNTY, f"{row.county} County", state.upper(), ocd.state_ocd_id(state)
            )
        precinct_id = ocd.precinct_ocd_id(county_id, row.precinct)
        if precinct_id not in specs:
            specs[precinct_id] = DivisionSpec(
                precinct_id, DivisionKind.PRECINCT, row.precinct.title(), state.upper(), county_id, source=source
            )
        kind = office_names.office_kind(row.office)
        if kind and kind.district_kind and not office_names.is_at_large(row.district):
            district = district_spec(state, kind.district_kind, row.district, source=source)
            specs.setdefault(district.ocd_id, district)
    return list(specs.values())


def _result_office(row: ResultRow, state: str, source: str = "") -> OfficeSpec:
    kind = office_names.office_kind(row.office)
    if kind is None:
        # A county or city office, or a ballot question: it belongs to the county.
        county_id = ocd.county_ocd_id(state, row.county)
        question = row.candidate.lower() in {"yes", "no", "for", "against"}
        role = ocd.ocd_slug(f"{row.office} {row.district}".strip())
        level = OfficeLevel.BALLOT_MEASURE if question else OfficeLevel.COUNTY
        return OfficeSpec(
            county_id, role, f"{row.office} {row.district}".strip(), level, partisan=not question, source=source
        )
    if kind.district_kind and office_names.is_at_large(row.district):
        return _at_large_office(kind, state, row.district, source)
    if kind.district_kind:
        division = ocd.district_ocd_id(state, kind.district_kind, row.district or "0")
        if kind.chamber:
            name = office_names.legislative_office_name(state, kind.chamber, ocd.district_number(row.district or "0"))
        else:
            name = f"{kind.title} {state.upper()}-{ocd.district_number(row.district or '0')}"
        return OfficeSpec(
            division,
            kind.role,
            name,
            kind.level,
            chamber=kind.chamber,
            seats=None,
            source=source,
            term_years=office_names.legislative_term_years(state, kind.chamber) if kind.chamber else 2,
        )
    if kind.scope == "country":
        return OfficeSpec(ocd.COUNTRY_US, kind.role, "President of the United States", kind.level, term_years=4)
    if kind.scope == "county":
        county_id = ocd.county_ocd_id(state, row.county)
        return OfficeSpec(county_id, kind.role, f"{row.county} County {kind.title}", kind.level, term_years=4)
    return OfficeSpec(
        ocd.state_ocd_id(state),
        kind.role,
        f"{ocd.state_name(state)} {kind.title}",
        kind.level,
        term_years=6 if kind.role == "us_senate" else 4,
    )


def _at_large_office(kind: office_names.OfficeKind, state: str, district: str, source: str) -> OfficeSpec:
    """A seat elected by the whole state belongs to the state's division (Delaware's one U.S. House
    seat is ocd-division/country:us/state:de, role us_house)."""
    if kind.chamber:
        ocd_id, _, role = office_names.legislative_division(state, kind.chamber, district)
        name = f"{ocd.state_name(state)} {office_names.CHAMBER_TITLES.get(kind.chamber, 'Legislature')} At-Large"
        term = office_names.legislative_term_years(state, kind.chamber)
        return OfficeSpec(ocd_id, role, name, kind.level, chamber=kind.chamber, seats=None, term_years=term,
                          source=source)  # fmt: skip
    name = f"{kind.title} {state.upper()} At-Large"
    return OfficeSpec(ocd.state_ocd_id(state), kind.role, name, kind.level, seats=None, term_years=2, source=source)


def _upsert_races(election: Election, offices: Any, *, report: ImportReport) -> dict[int, Race]:
    office_list = list(offices)
    existing = {r.office_id: r for r in Race.objects.filter(election=election, party="")}
    seats = {o.pk: o.seats for o in office_list}
    desired: dict[Any, dict[str, Any]] = {o.pk: {} for o in office_list}  # a race's seats are set when it is made
    return sync_rows(
        Race,
        existing,
        desired,
        report=report,
        label="races",
        make=lambda key, values: Race(election=election, office_id=key, party="", seats=seats[key]),
    )


def _office_of(spec: OfficeSpec, divisions: dict[str, Division], offices: dict[Any, Office]) -> Office:
    return offices[(divisions[spec.division_ocd_id].pk, spec.role)]


def _upsert_candidacies(
    rows: list[ResultRow],
    office_keys: dict[int, OfficeSpec],
    divisions: dict[str, Division],
    offices: dict[Any, Office],
    races: dict[int, Race],
    *,
    report: ImportReport,
) -> dict[Any, Candidacy]:
    race_ids = [r.pk for r in races.values()]
    existing = {(c.race_id, c.name, c.party): c for c in Candidacy.objects.filter(race_id__in=race_ids)}
    desired: dict[Any, dict[str, Any]] = {}
    spellings: dict[Any, list[str]] = defaultdict(list)
    for row in rows:
        race = races[_office_of(office_keys[row.line], divisions, offices).pk]
        key = (race.pk, row.candidate, row.party)
        if row.party_as_written not in spellings[key]:
            spellings[key].append(row.party_as_written)
        desired[key] = {"is_write_in": row.is_write_in}
    for key, written in spellings.items():
        desired[key]["party_as_written"] = ", ".join(w for w in written if w)[:80]
    return sync_rows(
        Candidacy,
        existing,
        desired,
        report=report,
        label="candidacies",
        make=lambda key, values: Candidacy(race_id=key[0], name=key[1], party=key[2], **values),
    )


def _sync_precinct_results(
    rows: list[ResultRow],
    state: str,
    office_keys: dict[int, OfficeSpec],
    divisions: dict[str, Division],
    offices: dict[Any, Office],
    races: dict[int, Race],
    candidacies: dict[Any, Candidacy],
    election: Election,
    *,
    report: ImportReport,
    progress: ProgressFn,
) -> None:
    precinct_ids = {ocd.precinct_ocd_id(_precinct_parent(state, r.county), r.precinct) for r in rows}
    precinct_pks = [divisions[p].pk for p in precinct_ids]
    # Plain tuples, not model instances: a county file has tens of thousands of results to compare.
    existing = {
        (candidacy_id, precinct_id): (pk, votes, modes)
        for pk, candidacy_id, precinct_id, votes, modes in PrecinctResult.objects.filter(
            race__election=election, precinct_id__in=precinct_pks
        ).values_list("pk", "candidacy_id", "precinct_id", "votes", "votes_by_mode")
    }
    to_create: list[tuple[int, int, int, int, str]] = []
    to_update: list[PrecinctResult] = []
    for done, row in enumerate(rows, start=1):
        race = races[_office_of(office_keys[row.line], divisions, offices).pk]
        candidacy = candidacies[(race.pk, row.candidate, row.party)]
        precinct = divisions[ocd.precinct_ocd_id(_precinct_parent(state, row.county), row.precinct)]
        stored = existing.get((candidacy.pk, precinct.pk))
        if stored is None:
            to_create.append((candidacy.pk, precinct.pk, race.pk, row.votes, json.dumps(row.votes_by_mode)))
        elif (stored[1], stored[2]) != (row.votes, row.votes_by_mode):
            to_update.append(PrecinctResult(pk=stored[0], votes=row.votes, votes_by_mode=row.votes_by_mode))
        if done % 5000 == 0:
            progress("precinct results", done, len(rows))
    _insert_precinct_results(to_create)
    PrecinctResult.objects.bulk_update(to_update, ["votes", "votes_by_mode"], batch_size=2000)
    unchanged = len(rows) - len(to_create) - len(to_update)
    for outcome, count in (("inserted", len(to_create)), ("updated", len(to_update)), ("unchanged", unchanged)):
        if count:
            report.count(outcome, "precinct results", count)


def _insert_precinct_results(values: list[tuple[int, int, int, int, str]]) -> None:
    """(candidacy, precinct, race, votes, votes by mode as JSON) rows, inserted as plain parameters:
    building a model instance per row cost four times the insert itself (a county file has tens of
    thousands of results): the largest share of the import's time."""
    meta = PrecinctResult._meta
    column_of = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(column_of[name])
        for name in ("candidacy", "precinct", "race", "votes", "votes_by_mode")
    )
    table = connection.ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        # COPY: PostgreSQL's bulk load, a tenth of the time of row-by-row INSERTs.
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        return
    as_json = "%s"
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, {as_json})"  # noqa: S608  names from the model; values bound
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


def _link_precincts_from_rows(
    rows: list[ResultRow],
    state: str,
    office_keys: dict[int, OfficeSpec],
    divisions: dict[str, Division],
    source: str,
    election_date: date,
    *,
    report: ImportReport,
) -> None:
    """A precinct voting in State House district 98 lies in district 98, on that election day."""
    links = set()
    for row in rows:
        spec = office_keys[row.line]
        district = divisions[spec.division_ocd_id]
        if district.kind in ("sldl", "sldu", "cd"):
            precinct = divisions[ocd.precinct_ocd_id(_precinct_parent(state, row.county), row.precinct)]
            links.add((precinct.pk, district.pk))
    link_precincts(links, valid_from=None, valid_to=None, source=source, report=report)


def refresh_candidacy_totals(races: list[Race], *, election_date: date) -> None:
    """Each candidacy's votes are the sum of its precinct results; after election day the top
    ``seats`` candidacies of a race won. Derived data: not counted in the import report."""
    totals = dict(
        PrecinctResult.objects.filter(race__in=races)
        .values_list("candidacy_id")
        .annotate(total=Sum("votes"))
        .values_list("candidacy_id", "total")
    )
    decided = election_date < timezone.localdate()
    changed = []
    by_race: dict[int, list[Candidacy]] = defaultdict(list)
    for candidacy in Candidacy.objects.filter(race__in=races):
        by_race[candidacy.race_id].append(candidacy)
    seats = {r.pk: r.seats for r in races}
    for race_id, candidates in by_race.items():
        ranked = sorted(candidates, key=lambda c: -(totals.get(c.pk) or 0))
        for place, candidacy in enumerate(ranked):
            outcome = Outcome.PENDING if not decided else (Outcome.WON if place < seats[race_id] else Outcome.LOST)
            votes = totals.get(candidacy.pk)
            if (candidacy.votes, candidacy.outcome) != (votes, outcome):
                candidacy.votes, candidacy.outcome = votes, outcome
                changed.append(candidacy)
    Candidacy.objects.bulk_update(changed, ["votes", "outcome"], batch_size=2000)


# ---------------------------------------------------------------- votes carried in a boundary file


@dataclass(frozen=True)
class VoteProperty:
    """A GeoJSON property holding one candidate's votes in each precinct."""

    prop: str
    election_date: date
    office: str  # an office name office_kind() knows, e.g. 'President'
    party: str
    candidate: str


# MGGG's Rhode Island file: the two major-party candidates of 2016 and 2018 (RI Board of Elections).
RI_VOTE_PROPERTIES = (
    VoteProperty("PRES16D", date(2016, 11, 8), "President", "Democratic", "Hillary Clinton"),
    VoteProperty("PRES16R", date(2016, 11, 8), "President", "Republican", "Donald J. Trump"),
    VoteProperty("GOV18D", date(2018, 11, 6), "Governor", "Democratic", "Gina M. Raimondo"),
    VoteProperty("GOV18R", date(2018, 11, 6), "Governor", "Republican", "Allan W. Fung"),
    VoteProperty("SEN18D", date(2018, 11, 6), "U.S. Senate", "Democratic", "Sheldon Whitehouse"),
    VoteProperty("SEN18R", date(2018, 11, 6), "U.S. Senate", "Republican", "Robert G. Flanders Jr."),
)


def do_import_boundary_votes(
    source: Path | BinaryIO,
    *,
    state: str,
    properties: tuple[VoteProperty, ...] = RI_VOTE_PROPERTIES,
    precinct_property: str = "NAME",
    source_name: str,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
    actor: User | None,
) -> ImportReport:
    """Precinct votes stored as properties of a precinct GeoJSON (import the boundaries first)."""
    features = read_geojson(source)["features"]
    state = state.lower()
    report = ImportReport(rows=len(features), dry_run=dry_run)
    precincts = {d.ocd_id: d for d in Division.objects.filter(state=state.upper(), kind=DivisionKind.PRECINCT)}
    values, errors = _boundary_vote_values(features, state, properties, precinct_property, precincts)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        progress("results", 0, len(features))
        divisions = upsert_divisions(state_specs(state), report=report)
        elections = {
            on: upsert_election(state, on, ElectionKind.GENERAL, report=report)
            for on in sorted({p.election_date for p in properties})
        }
        office_specs = {
            p.office: _result_office(ResultRow(0, "", "", p.office, "", p.party, p.candidate, 0, {}), state)
            for p in properties
        }
        offices = upsert_offices(list(office_specs.values()), divisions, report=report)
        races: dict[tuple[int, int], Race] = {}
        for election in elections.values():
            wanted = {
                _office_of(office_specs[p.office], divisions, offices)
                for p in properties
                if p.election_date == election.date
            }
            races.update({(election.pk, k): v for k, v in _upsert_races(election, wanted, report=report).items()})
        existing_c = {(c.race_id, c.name, c.party): c for c in Candidacy.objects.filter(race__in=races.values())}
        race_for = {
            p.prop: races[(elections[p.election_date].pk, _office_of(office_specs[p.office], divisions, offices).pk)]
            for p in properties
        }
        candidacies = sync_rows(
            Candidacy,
            existing_c,
            {(race_for[p.prop].pk, p.candidate, p.party): {} for p in properties},
            report=report,
            label="candidacies",
            make=lambda key, values: Candidacy(race_id=key[0], name=key[1], party=key[2]),
        )
        candidacy_for = {p.prop: candidacies[(race_for[p.prop].pk, p.candidate, p.party)] for p in properties}
        existing = {
            (r.candidacy_id, r.precinct_id): r
            for r in PrecinctResult.objects.filter(candidacy__in=list(candidacy_for.values()))
        }
        desired = {(candidacy_for[prop].pk, precinct.pk): {"votes": votes} for prop, precinct, votes in values}
        race_of = {c.pk: c.race_id for c in candidacy_for.values()}
        sync_rows(
            PrecinctResult,
            existing,
            desired,
            report=report,
            label="precinct results",
            make=lambda key, v: PrecinctResult(candidacy_id=key[0], precinct_id=key[1], race_id=race_of[key[0]], **v),
        )
        for on in elections:
            refresh_candidacy_totals(
                [r for r in set(race_for.values()) if r.election_id == elections[on].pk], election_date=on
            )
        record_audit(
            AuditEvent.RESULTS_IMPORTED,
            actor=actor,
            summary=f"imported precinct votes from {source_name}: {report.summary()}",
            details=report.as_dict(),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _boundary_vote_values(
    features: list[dict[str, Any]],
    state: str,
    properties: tuple[VoteProperty, ...],
    precinct_property: str,
    precincts: dict[str, Division],
) -> tuple[list[tuple[str, Division, int]], list[RowError]]:
    values, errors = [], []
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = str(props.get(precinct_property) or "").strip()
        precinct = precincts.get(ocd.precinct_ocd_id(ocd.state_ocd_id(state), code))
        if precinct is None:
            errors.append(
                RowError(index, precinct_property, f"precinct {code!r} is not imported; import the boundaries first")
            )
            continue
        for p in properties:
            raw = props.get(p.prop)
            if not isinstance(raw, int | float) or raw < 0 or raw != int(raw):
                errors.append(RowError(index, p.prop, f"{raw!r} is not a whole, non-negative vote count"))
                continue
            values.append((p.prop, precinct, int(raw)))
    return values, errors
