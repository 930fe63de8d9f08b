"""Historical endorsements from a CSV, with a column mapping, so an organization sees its record at once.

One row is one candidate in one race. One or more endorser columns say Yes or No; the race columns
(state, date or year, office, district, kind) find or make the race in the power map; the result
column says won or lost the way its publisher wrote it (Yes/No, Won/Lost, W/L, Advanced/Lost, 1/0,
"Advanced to runoff", or a vote share: the most in its race won), or something undecided (blank,
"pending", a runoff still to come), which is counted apart and never as a loss. A value that could
mean either is not guessed: the mapping page asks what it means. All or nothing: any bad row rejects
the file, naming row and column.

FiveThirtyEight's 2018 primary candidates file is the layout the guesses are made for (one Yes/No
column per endorsing group beside Yes/No columns about the candidate — Veteran?, STEM? — that are
not endorsements; a Race Type of Regular or Special; the office written out in its District column).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from groundswell.chapters.geo import STATE_NAMES
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.elections.models import Candidacy, Election, ElectionKind, OfficeLevel, Outcome, Race
from groundswell.elections.offices import office_kind
from groundswell.endorsements.models import Endorsement, EndorsementSource, HistoricalImport
from groundswell.geo.importing import ImportRejected, ProgressFn, RowError, no_progress
from groundswell.geo.ocd import state_ocd_id
from groundswell.recruitment.candidacies import (
    ensure_election,
    ensure_office,
    ensure_race,
    file_candidacy,
    record_result,
)

YES = {"yes", "y", "true", "1", "x", "endorsed"}
NO = {"no", "n", "false", "0", ""}
# How result columns are written. A runoff still to come decides nothing in this race: it is counted
# apart, as a race without a result is, and the runoff is a race of its own.
RESULT_WORDS: dict[str, str] = {
    **dict.fromkeys(("won", "win", "w", "elected", "winner", "yes", "y", "1", "true", "advanced", "nominated"), "won"),
    **dict.fromkeys(("lost", "lose", "l", "defeated", "loser", "no", "n", "0", "false", "eliminated"), "lost"),
    **dict.fromkeys(("", "pending", "undecided", "runoff", "advanced to runoff", "to runoff", "recount"), "pending"),
}
OUTCOME_CHOICES = (("won", "Won"), ("lost", "Lost"), ("pending", "Undecided (counted apart)"))
READ_AS_VALUES = "values"
READ_AS_SHARE = "share"  # a vote share: the candidate with the most in the race won
KINDS = {
    "primary": ElectionKind.PRIMARY,
    "general": ElectionKind.GENERAL,
    "special": ElectionKind.SPECIAL,
    "special primary": ElectionKind.SPECIAL,
    "special general": ElectionKind.SPECIAL,
    "runoff": ElectionKind.RUNOFF,
    "primary runoff": ElectionKind.RUNOFF,
    "caucus": ElectionKind.CAUCUS,
}
# A kind column that says "Regular" or "Special" (FiveThirtyEight's Race Type): regular is the file's
# kind (the default kind); a special election, even on the same day for the same seat, is a race of its own.
REGULAR = "regular"
# A Yes/No column is taken for an endorser only when its header says so ("Emily Endorsed?", "No Labels
# Support?"); "Veteran?" or "STEM?" are Yes/No too, and are facts about the candidate.
ENDORSER_HEADER = re.compile(r"endorse|support", re.I)
LEVELS = {
    **{code: code for code in OfficeLevel.values},
    **{str(label).lower(): code for code, label in OfficeLevel.choices},
    "state house": OfficeLevel.STATE_LEGISLATURE,
    "state senate": OfficeLevel.STATE_LEGISLATURE,
    "city": OfficeLevel.MUNICIPAL,
    "local": OfficeLevel.MUNICIPAL,
    "party": OfficeLevel.PARTY,
}

# The fields a mapping can name a column for; endorser columns are listed separately.
FIELDS = {
    "candidate": "Candidate name",
    "state": "State (two letters or name)",
    "date": "Election date (YYYY-MM-DD) or year",
    "kind": "Election kind (primary, general ...)",
    "office": "Office",
    "district": "District",
    "level": "Office level",
    "party": "Party",
    "result": "Result (won / lost, advanced, 1 / 0, a vote share ...)",
}
REQUIRED = ("candidate", "date", "office", "result")


@dataclass
class Mapping:
    """Which column holds what. Column names are compared without surrounding spaces."""

    endorsers: list[str]
    columns: dict[str, str] = field(default_factory=dict)  # field -> column header
    default_state: str = ""
    default_kind: str = ElectionKind.GENERAL
    default_level: str = ""
    result_as: str = READ_AS_VALUES
    result_values: dict[str, str] = field(default_factory=dict)  # a result value, lowercased -> won/lost/pending

    def as_dict(self) -> dict[str, Any]:
        return {
            "endorsers": self.endorsers,
            "columns": self.columns,
            "default_state": self.default_state,
            "default_kind": self.default_kind,
            "default_level": self.default_level,
            "result_as": self.result_as,
            "result_values": self.result_values,
        }


@dataclass(frozen=True)
class HistoricalRow:
    line: int
    candidate: str
    state: str
    date: dt.date
    kind: str
    office: str
    district: str
    level: str
    party: str
    outcome: str
    endorsers: tuple[str, ...]
    share: float | None = None  # the vote share, when the result column is read as one

    @property
    def race_key(self) -> tuple[str, dt.date, str, str, str, str]:
        return (self.state, self.date, self.kind, self.office.lower(), self.district.lower(), self.party.lower())


@dataclass
class HistoricalReport:
    rows: int = 0
    endorsements: int = 0
    candidacies: int = 0
    won: int = 0
    lost: int = 0
    undecided: int = 0
    not_endorsed: int = 0
    already_there: int = 0  # endorsements an earlier import (or the process) had recorded: left as they are
    import_id: int | None = None

    def summary(self) -> str:
        again = f"; {self.already_there} already there" if self.already_there else ""
        return (
            f"{self.rows} rows: {self.endorsements} endorsements of {self.candidacies} candidates — "
            f"{self.won} won, {self.lost} lost, {self.undecided} undecided (counted apart); "
            f"{self.not_endorsed} rows with no endorsement{again}"
        )


def clean_header(header: str) -> str:
    return header.strip().lstrip("\ufeff").strip()


def read_csv(handle: IO[str]) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(handle)
    try:
        headers = [clean_header(h) for h in next(reader)]
    except StopIteration:
        raise ImportRejected([RowError(1, "header", "the file is empty")]) from None
    records = [{h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)} for row in reader if any(row)]
    return headers, records


def endorser_name(header: str) -> str:
    """Who endorsed, from an endorser column's header: "Emily Endorsed?" -> "Emily"."""
    name = clean_header(header).rstrip("?").strip()
    name = re.sub(r"^(endorsed|supported) by\s+", "", name, flags=re.I)
    name = re.sub(r"\s+(endorsed|endorsement|endorses|support|supported|supports)$", "", name, flags=re.I)
    return name.strip() or clean_header(header)


# ---------------------------------------------------------------- reading a result column


def _share(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%").strip())
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def column_values(records: list[dict[str, str]], column: str) -> list[str]:
    return [r.get(clean_header(column), "").strip() for r in records]


def looks_like_share(values: list[str]) -> bool:
    """Numbers from 0 to 100 that are not only 1s and 0s (a 1/0 column says won or lost)."""
    filled = [v for v in values if v]
    return bool(filled) and all(_share(v) is not None for v in filled) and not set(filled) <= {"0", "1"}


def unread_values(values: list[str], answers: dict[str, str]) -> list[str]:
    """Result values that neither the known words nor the organizer's answers say how to read."""
    return sorted({v for v in values if v.lower() not in answers and v.lower() not in RESULT_WORDS}, key=str.lower)


def result_readings(values: list[str], answers: dict[str, str]) -> list[tuple[str, int, str]]:
    """(value as written, how many rows, how it reads or "" when it must be asked) for each value."""
    counts = Counter(values)
    firsts = {v.lower(): v for v in reversed(values)}
    return [
        (
            firsts[key],
            sum(n for v, n in counts.items() if v.lower() == key),
            answers.get(key, RESULT_WORDS.get(key, "")),
        )
        for key in sorted(firsts, key=lambda k: (-sum(n for v, n in counts.items() if v.lower() == k), k))
    ]


# ---------------------------------------------------------------- guessing the mapping


def _readable_as_result(values: list[str]) -> bool:
    return any(values) and not unread_values(values, {})


def _office_score(records: list[dict[str, str]], header: str, state_column: str) -> int:
    return sum(
        1
        for r in records[:200]
        if office_kind(split_office(r.get(state_column, "").strip(), r.get(header, ""), "")[0]) is not None
    )


def _guess_office(headers: list[str], records: list[dict[str, str]], state_column: str) -> tuple[str, str]:
    """(office column, district column): the column whose values name offices the power map knows wins
    ("U.S. House Alabama District 1" in a District column, over "Representative" in an Office Type)."""
    named = [h for h in headers if any(w in h.lower() for w in ("office", "seat", "district", "position"))]
    scored = sorted(named, key=lambda h: -_office_score(records, h, state_column))
    office = scored[0] if scored and _office_score(records, scored[0], state_column) else ""
    office = office or next((h for h in named if "office" in h.lower() or "seat" in h.lower()), "")
    district = next((h for h in named if "district" in h.lower() and h != office), "")
    return office, district


_NOT_RESULT = re.compile(r"official|incumbent|endorse|support", re.I)


def _guess_result(headers: list[str], records: list[dict[str, str]], taken: set[str]) -> tuple[str, str, list[str]]:
    """(result column, how to read it, other columns that look like a result too)."""
    words = ("won", "win", "result", "outcome", "elected", "status")
    # "Elected Official?" says whether they held office before, not whether they won
    named = sorted(
        (h for h in headers if h not in taken and any(w in h.lower() for w in words) and not _NOT_RESULT.search(h)),
        key=lambda h: next(i for i, w in enumerate(words) if w in h.lower()),
    )
    readable = [h for h in named if _readable_as_result(column_values(records, h))]
    if readable:
        return readable[0], READ_AS_VALUES, readable[1:]
    shares = [
        h
        for h in headers
        if h not in taken
        and any(w in h.lower() for w in ("%", "pct", "percent", "share", "vote"))
        and looks_like_share(column_values(records, h))
    ]
    if shares:
        return shares[0], READ_AS_SHARE, shares[1:]
    return (named[0], READ_AS_VALUES, named[1:]) if named else ("", READ_AS_VALUES, [])


def _is_kind_column(values: list[str]) -> bool:
    return any(values) and all(not v or v.lower() in KINDS or v.lower() == REGULAR for v in values)


@dataclass
class Guess:
    mapping: Mapping
    yes_no: list[str]  # every Yes/No column, ticked or not
    other_results: list[str]  # columns that could be the result too: the page says so


def guess_mapping(headers: list[str], records: list[dict[str, str]]) -> Mapping:
    return guess(headers, records).mapping


def guess(headers: list[str], records: list[dict[str, str]]) -> Guess:
    """A first guess, from the headers' names and what the columns hold."""
    columns: dict[str, str] = {}
    hints = {"candidate": ("candidate", "name"), "state": ("state",), "date": ("date", "year"), "party": ("party",)}
    for name, words in hints.items():
        found = [h for h in headers if h not in columns.values() and any(w in h.lower() for w in words)]
        if name == "party":  # "Party Support?" is an endorser, not the candidate's party
            found = [h for h in found if not ENDORSER_HEADER.search(h)]
        if found:
            columns[name] = found[0]
    kind = next((h for h in headers if h not in columns.values() and _is_kind_column(column_values(records, h))), "")
    office, district = _guess_office(
        [h for h in headers if h not in columns.values()], records, columns.get("state", "")
    )
    level = next((h for h in headers if "level" in h.lower() and h not in columns.values()), "")
    columns.update(
        {k: v for k, v in (("kind", kind), ("office", office), ("district", district), ("level", level)) if v}
    )
    result, result_as, other_results = _guess_result(headers, records, set(columns.values()))
    if result:
        columns["result"] = result
    yes_no = [
        h
        for h in headers
        if h not in columns.values() and records and all(v.lower() in YES | NO for v in column_values(records, h))
    ]
    primary = any("primary" in h.lower() for h in headers)
    mapping = Mapping(
        endorsers=[h for h in yes_no if ENDORSER_HEADER.search(h)],
        columns=columns,
        default_kind=ElectionKind.PRIMARY if primary else ElectionKind.GENERAL,
        result_as=result_as,
    )
    return Guess(mapping, yes_no, other_results)


# ---------------------------------------------------------------- reading rows


def _value(record: dict[str, str], mapping: Mapping, name: str) -> str:
    column = mapping.columns.get(name, "")
    return record.get(clean_header(column), "").strip() if column else ""


def _state(raw: str, default: str) -> str | None:
    text = (raw or default).strip()
    if text.upper() in STATE_NAMES:
        return text.upper()
    by_name = {name.lower(): code for code, name in STATE_NAMES.items()}
    return by_name.get(text.lower())


def _date(raw: str) -> dt.date | None:
    text = raw.strip()
    if text.isdigit() and len(text) == 4:
        return general_election_day(int(text))
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def general_election_day(year: int) -> dt.date:
    """The Tuesday after the first Monday in November (federal law, 2 U.S.C. 7)."""
    first = dt.date(year, 11, 1)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + dt.timedelta(days=1)


def split_office(state: str, office: str, district: str) -> tuple[str, str]:
    """(office, district) from an office written out with its state and district, as FiveThirtyEight
    writes it: "U.S. House Alabama District 1" -> ("U.S. House", "1"); "Governor of Alabama" ->
    ("Governor", ""); "U.S. Senate Minnesota" -> ("U.S. Senate", ""). A name the power map does not
    know is kept as written."""
    text = re.sub(r"\s+", " ", office.strip())
    if not text or office_kind(text) is not None:
        return text, district
    code = (_state(state, "") or "").upper()
    bare = text
    if code:  # the name in any case; the two letters only as capitals ("in" is a word, "IN" Indiana)
        bare = re.sub(rf"(\bof\s+)?\b{re.escape(STATE_NAMES[code])}\b", " ", bare, flags=re.I)
        bare = re.sub(rf"(\bof\s+)?\b{code}\b", " ", bare)
    bare = re.sub(r"\s+", " ", bare).strip(" ,-")
    numbered = re.match(r"^(.*?)\s+district\s+(\S+)$", bare, flags=re.I)
    if numbered and office_kind(numbered.group(1)) is not None:
        number = numbered.group(2)
        return numbered.group(1), "" if number.lower() in {"at-large", "at large"} else (district or number)
    at_large = re.match(r"^(.*?)\s+at[- ]large(\s+district)?$", bare, flags=re.I)
    if at_large and office_kind(at_large.group(1)) is not None:
        return at_large.group(1), ""  # an at-large seat belongs to the state's own division
    if office_kind(bare) is not None:
        return bare, district
    return text, district


def parse_rows(records: list[dict[str, str]], mapping: Mapping) -> list[HistoricalRow]:
    """Validate every row; raise ImportRejected naming each bad row and column."""
    errors: list[RowError] = []
    _check_mapping(records, mapping, errors)
    if errors:
        raise ImportRejected(errors)
    rows = []
    for index, record in enumerate(records, start=2):  # line 1 is the header
        row = _parse_row(index, record, mapping, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportRejected(errors)
    return _decide_by_share(rows) if mapping.result_as == READ_AS_SHARE else rows


def _decide_by_share(rows: list[HistoricalRow]) -> list[HistoricalRow]:
    """The most votes in its race won, the others lost; a tie for the most, or no share, is undecided."""
    by_race: dict[tuple[Any, ...], list[HistoricalRow]] = defaultdict(list)
    for row in rows:
        by_race[row.race_key].append(row)
    best = {key: max((r.share for r in race if r.share is not None), default=None) for key, race in by_race.items()}
    tied = {key for key, race in by_race.items() if [r.share for r in race].count(best[key]) > 1}

    def outcome(row: HistoricalRow) -> str:
        if row.share is None or row.race_key in tied:
            return Outcome.PENDING
        return Outcome.WON if row.share == best[row.race_key] else Outcome.LOST

    return [replace(row, outcome=outcome(row)) for row in rows]


def _check_mapping(records: list[dict[str, str]], mapping: Mapping, errors: list[RowError]) -> None:
    headers = set(records[0]) if records else set()
    if not mapping.endorsers:
        errors.append(RowError(1, "endorsers", "choose at least one endorser column"))
    for name in REQUIRED:
        if not mapping.columns.get(name):
            errors.append(RowError(1, FIELDS[name], "choose the column that holds it"))
    named = [*mapping.endorsers, *mapping.columns.values()]
    for column in named:
        if records and column and clean_header(column) not in headers:
            errors.append(RowError(1, column, "no such column in the file"))


def _outcome(index: int, raw: str, mapping: Mapping, errors: list[RowError]) -> tuple[str, float | None]:
    column = mapping.columns.get("result", "")
    if mapping.result_as == READ_AS_SHARE:
        share = _share(raw) if raw else None
        if raw and share is None:
            errors.append(RowError(index, column, f"not a vote share from 0 to 100: {raw!r}"))
        return Outcome.PENDING, share
    reading = mapping.result_values.get(raw.lower()) or RESULT_WORDS.get(raw.lower())
    if reading is None:
        errors.append(RowError(index, column, f"cannot tell whether {raw!r} is a win: say how it reads"))
        return Outcome.PENDING, None
    return reading, None


def _kind(raw: str, mapping: Mapping) -> str | None:
    text = raw.lower() or mapping.default_kind
    return mapping.default_kind if text == REGULAR else KINDS.get(text)


def _parse_row(index: int, record: dict[str, str], mapping: Mapping, errors: list[RowError]) -> HistoricalRow | None:
    before = len(errors)
    column = mapping.columns.get
    candidate = _value(record, mapping, "candidate")
    if not candidate:
        errors.append(RowError(index, column("candidate", ""), "missing candidate name"))
    state = _state(_value(record, mapping, "state"), mapping.default_state)
    if state is None:
        errors.append(RowError(index, column("state", "state"), f"unknown state {_value(record, mapping, 'state')!r}"))
    date = _date(_value(record, mapping, "date"))
    if date is None:
        errors.append(RowError(index, column("date", ""), f"not a date or year: {_value(record, mapping, 'date')!r}"))
    kind = _kind(_value(record, mapping, "kind"), mapping)
    if kind is None:
        kind_text = _value(record, mapping, "kind") or mapping.default_kind
        errors.append(RowError(index, column("kind", "kind"), f"unknown election kind {kind_text.lower()!r}"))
    level_text = _value(record, mapping, "level").lower() or mapping.default_level
    level = LEVELS.get(level_text, "") if level_text else ""
    if level_text and not level:
        errors.append(RowError(index, column("level", "level"), f"unknown office level {level_text!r}"))
    office, district = split_office(state or "", _value(record, mapping, "office"), _value(record, mapping, "district"))
    if not office:
        errors.append(RowError(index, column("office", ""), "missing office"))
    outcome, share = _outcome(index, _value(record, mapping, "result"), mapping, errors)
    endorsers = []
    for header in mapping.endorsers:
        answer = record.get(clean_header(header), "").strip().lower()
        if answer in YES:
            endorsers.append(endorser_name(header))
        elif answer not in NO:
            errors.append(RowError(index, clean_header(header), f"expected Yes or No, found {answer!r}"))
    if len(errors) > before:
        return None
    assert state is not None and date is not None and kind is not None
    party = _value(record, mapping, "party")
    return HistoricalRow(
        index, candidate, state, date, kind, office, district, level, party, outcome, tuple(endorsers), share
    )


# ---------------------------------------------------------------- loading


def do_import_historical_endorsements(
    handle: IO[str],
    *,
    mapping: Mapping,
    file_name: str,
    actor: User | None,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
) -> HistoricalReport:
    """Load a file of past endorsements: all rows or none. What the import made is kept on its
    HistoricalImport, so that undoing it (actions.do_undo_historical_import) removes that and only that."""
    progress("reading", 0, None)
    _, records = read_csv(handle)
    rows = parse_rows(records, mapping)
    report = HistoricalReport(rows=len(rows))
    with transaction.atomic():
        batch = HistoricalImport.objects.create(
            file_name=file_name, mapping=mapping.as_dict(), rows=len(rows), created_by=actor
        )
        made = MadeRows()
        for done, row in enumerate(rows, start=1):
            _load_row(row, batch, report, made)
            progress("endorsements", done, len(rows))
        batch.endorsements, batch.undecided = report.endorsements, report.undecided
        batch.made = made.as_dict()
        batch.save(update_fields=["endorsements", "undecided", "made"])
        report.import_id = batch.pk
        record_audit(
            AuditEvent.ENDORSEMENTS_IMPORTED,
            actor=actor,
            target=batch,
            summary=f"historical endorsements from {file_name}: {report.summary()}",
            details={"dry_run": dry_run},
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


@dataclass
class MadeRows:
    """The power-map rows an import made, and the results it recorded on candidacies that were there."""

    elections: set[int] = field(default_factory=set)
    races: set[int] = field(default_factory=set)
    candidacies: set[int] = field(default_factory=set)
    results: set[int] = field(default_factory=set)
    seen_races: dict[int, set[int]] = field(default_factory=dict)  # race -> its candidacies before the import
    race_of: dict[tuple[int, int], Race] = field(default_factory=dict)  # (election, office) -> race
    election_of: dict[tuple[str, dt.date, str], Election] = field(default_factory=dict)

    def as_dict(self) -> dict[str, list[int]]:
        return {
            "elections": sorted(self.elections),
            "races": sorted(self.races),
            "candidacies": sorted(self.candidacies),
            "results": sorted(self.results - self.candidacies),
        }


def _load_row(row: HistoricalRow, batch: HistoricalImport, report: HistoricalReport, made: MadeRows) -> None:
    if not row.endorsers:
        report.not_endorsed += 1
        return
    candidacy = _candidacy(row, made)
    report.candidacies += 1
    decided_at = timezone.make_aware(dt.datetime.combine(row.date, dt.time(12)))
    for endorser in row.endorsers:
        _, created = Endorsement.objects.get_or_create(
            candidacy=candidacy,
            endorser=endorser,
            defaults={"source": EndorsementSource.HISTORICAL, "decided_at": decided_at, "historical_import": batch},
        )
        if not created:
            report.already_there += 1
            continue
        report.endorsements += 1
        _count_outcome(report, candidacy.outcome)


def _candidacy(row: HistoricalRow, made: MadeRows) -> Candidacy:
    """Find or make the election, race and candidacy of a row, noting which of them this import made."""
    election = _election(row, made)
    office = ensure_office(row.state, row.office, district=row.district, level=row.level)
    race = made.race_of.get((election.pk, office.pk))
    if race is None:
        existed = Race.objects.filter(election=election, office=office, party="").exists()
        race = made.race_of[(election.pk, office.pk)] = ensure_race(election, office)
        made.seen_races[race.pk] = set(race.candidacies.values_list("pk", flat=True))
        if not existed:
            made.races.add(race.pk)
    candidacy = file_candidacy(race, name=row.candidate, party=row.party)
    if candidacy.pk not in made.seen_races[race.pk]:
        made.candidacies.add(candidacy.pk)
    was = candidacy.outcome
    record_result(candidacy, row.outcome)
    if was != candidacy.outcome:
        made.results.add(candidacy.pk)
    return candidacy


def _election(row: HistoricalRow, made: MadeRows) -> Election:
    key = (row.state, row.date, row.kind)
    if key not in made.election_of:
        found = Election.objects.filter(division__ocd_id=state_ocd_id(row.state), date=row.date, kind=row.kind)
        existed = found.exists()
        made.election_of[key] = ensure_election(row.state, row.date, row.kind)
        if not existed:
            made.elections.add(made.election_of[key].pk)
    return made.election_of[key]


def _count_outcome(report: HistoricalReport, outcome: str) -> None:
    if outcome == Outcome.WON:
        report.won += 1
    elif outcome == Outcome.LOST:
        report.lost += 1
    else:
        report.undecided += 1


def text_of(data: bytes) -> io.StringIO:
    """Uploaded bytes as text: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        return io.StringIO(data.decode("cp1252"), newline="")
