"""Finding people who are probably the same human: blocking in the database, scoring in Python.

Comparing every pair of 200,000 people is 20 billion comparisons. Instead each blocking rule
groups people by a cheap key (last name's first letters + ZIP, initials + city, the last seven
digits of a phone, an email's local part) with GROUP BY in the database, and only people who share
a key with someone else are read into Python and compared, with rapidfuzz, pair by pair.
(The initials rule uses the first two letters of the last name: initials alone put a few hundred
people of a big city in one block.)
Blocks bigger than MAX_BLOCK (a very common surname in a big city, "info@") are skipped: they
say little, and another rule usually still brings a true pair together.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Concat, Left, Length, Lower, Replace, Right, StrIndex, Substr
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from groundswell.core.jobs import NoProgress, ProgressReporter
from groundswell.people.models import EmailAddress, NotDuplicate, Person, PhoneNumber

# A pair scoring at least this is proposed. Same name + same address scores about 80; a
# household (same last name and address, different first names) about 55.
PROPOSAL_THRESHOLD = 60
MAX_BLOCK = 50
# SQLite allows 32,766 bound parameters; read candidate details in slices well under that.
READ_CHUNK = 2_000

# Common English nicknames, both ways. Small on purpose: spelling variants (Jon/John) are caught
# by the similarity score; this covers the pairs that look nothing alike (Bill/William).
_NICKNAMES: dict[str, tuple[str, ...]] = {
    "william": ("bill", "will", "billy", "liam"),
    "robert": ("bob", "rob", "bobby", "robbie"),
    "richard": ("rick", "dick", "rich", "ricky"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny"),
    "joseph": ("joe", "joey"),
    "michael": ("mike", "mikey"),
    "thomas": ("tom", "tommy"),
    "charles": ("chuck", "charlie"),
    "christopher": ("chris",),
    "daniel": ("dan", "danny"),
    "matthew": ("matt",),
    "anthony": ("tony",),
    "edward": ("ed", "eddie", "ted"),
    "benjamin": ("ben",),
    "nicholas": ("nick",),
    "alexander": ("alex",),
    "jonathan": ("jon", "jonny"),
    "samuel": ("sam",),
    "theodore": ("ted", "teddy", "theo"),
    "elizabeth": ("liz", "beth", "betty", "eliza", "lizzie"),
    "margaret": ("maggie", "peggy", "meg"),
    "katherine": ("kate", "katie", "kathy", "kat"),
    "catherine": ("cathy", "cat", "kate"),
    "jennifer": ("jen", "jenny"),
    "patricia": ("pat", "patty", "trish"),
    "susan": ("sue", "susie"),
    "deborah": ("deb", "debbie"),
    "rebecca": ("becky", "becca"),
    "alexandra": ("alex", "sasha"),
    "victoria": ("vicky", "tori"),
    "christine": ("chris", "tina"),
    "jessica": ("jess", "jessie"),
    "abigail": ("abby",),
    "francisco": ("paco", "pancho"),
    "jose": ("pepe",),
    "guadalupe": ("lupe",),
}
NICKNAME_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset((full, nick)) for full, nicks in _NICKNAMES.items() for nick in nicks
)

_STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "lane": "ln", "court": "ct", "place": "pl", "terrace": "ter", "parkway": "pkwy", "highway": "hwy",
    "circle": "cir", "square": "sq", "apartment": "apt", "suite": "ste", "unit": "apt", "#": "apt",
    "north": "n", "south": "s", "east": "e", "west": "w",
}  # fmt: skip
_NOT_WORD = re.compile(r"[^a-z0-9# ]+")


@dataclass(frozen=True)
class Candidate:
    """What scoring needs to know about one person."""

    id: int
    first_name: str
    last_name: str
    address_line1: str
    city: str
    state: str
    zip_code: str
    birth_year: int | None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass
class Match:
    """A score with the evidence for it (``reasons``) and against it (``doubts``)."""

    score: int
    reasons: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    """Two people who are probably one, with why we think so. ``first.id < second.id``."""

    first: Candidate
    second: Candidate
    score: int
    reasons: list[str]
    doubts: list[str]

    @property
    def people(self) -> tuple[Candidate, Candidate]:
        return self.first, self.second


# ---- scoring --------------------------------------------------------------------------------


def _name(value: str) -> str:
    return _NOT_WORD.sub("", value.lower()).strip()


def normalize_street(value: str) -> str:
    words = _NOT_WORD.sub(" ", value.lower().replace(".", "")).split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words)


def _email_local_part(address: str) -> str:
    local = address.split("@", 1)[0].split("+", 1)[0]
    return local.replace(".", "")


@dataclass(frozen=True)
class Prepared:
    """A candidate with everything scoring compares already normalized: a person is prepared once
    and compared with each of their block-mates, so this work is not repeated per pair."""

    candidate: Candidate
    first: str
    last: str
    street: str
    zip5: str
    city: str
    emails: frozenset[str]
    email_names: frozenset[str]
    phones: frozenset[str]
    phone_ends: frozenset[str]


def prepare(c: Candidate) -> Prepared:
    return Prepared(
        candidate=c,
        first=_name(c.first_name),
        last=_name(c.last_name),
        street=normalize_street(c.address_line1),
        zip5=c.zip_code[:5],
        city=f"{c.city.lower()}|{c.state}" if c.city else "",
        emails=frozenset(c.emails),
        email_names=frozenset(n for n in map(_email_local_part, c.emails) if len(n) >= 4),
        phones=frozenset(c.phones),
        phone_ends=frozenset(p[-7:] for p in c.phones),
    )


def _first_name_likeness(a: Prepared, b: Prepared) -> tuple[float, str]:
    """How alike two first names are (0..1) and how to say so."""
    x, y = a.first, b.first
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 1.0, ""
    shown = f"{a.candidate.first_name}/{b.candidate.first_name}"
    if frozenset((x, y)) in NICKNAME_PAIRS:
        return 1.0, f"nickname: {shown}"
    if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
        return 0.75, f"initial: {shown}"
    similarity = JaroWinkler.similarity(x, y)
    if similarity >= 0.85:
        return similarity, f"similar name: {shown}"
    return 0.0, ""


def _last_name_likeness(a: Prepared, b: Prepared) -> tuple[float, str]:
    x, y = a.last, b.last
    if not x or not y:
        return 0.0, ""
    if x == y:
        return 1.0, ""
    shown = f"similar name: {a.candidate.last_name}/{b.candidate.last_name}"
    # Compound surnames: "Garcia Lopez" is still "Garcia".
    if set(x.replace("-", " ").split()) & set(y.replace("-", " ").split()):
        return 0.9, shown
    similarity = JaroWinkler.similarity(x, y)
    if similarity >= 0.88:
        return similarity, shown
    return 0.0, ""


def _name_points(a: Prepared, b: Prepared) -> tuple[float, list[str]]:
    first, first_reason = _first_name_likeness(a, b)
    last, last_reason = _last_name_likeness(a, b)
    if first == 1.0 and last == 1.0 and not first_reason:
        return 50.0, ["same name"]
    if a.first and a.last and a.first == b.last and a.last == b.first:
        return 45.0, ["first and last name swapped"]
    reasons = [r for r in (first_reason, last_reason) if r]
    if first == 1.0 and not first_reason:
        reasons.insert(0, "same first name")
    if last == 1.0:
        reasons.insert(0, "same last name")
    return 25 * first + 25 * last, reasons


def _address_points(a: Prepared, b: Prepared) -> tuple[float, list[str]]:
    same_zip = a.zip5 != "" and a.zip5 == b.zip5
    same_city = a.city != "" and a.city == b.city
    if a.street and b.street:
        same_place = same_zip or same_city or not (a.zip5 and b.zip5)
        if a.street == b.street and same_place:
            return 30.0, ["same address"]
        if same_place and fuzz.token_sort_ratio(a.street, b.street) >= 90:
            return 22.0, [f"similar address: {a.candidate.address_line1}/{b.candidate.address_line1}"]
        return -10.0, ["different address"]
    if same_zip:
        return 10.0, ["same ZIP"]
    if same_city:
        return 6.0, ["same city"]
    return 0.0, []


def _contact_points(a: Prepared, b: Prepared) -> tuple[float, list[str]]:
    points, reasons = 0.0, []
    if a.phones & b.phones:
        points, reasons = 30.0, ["same phone"]
    elif a.phone_ends & b.phone_ends:
        points, reasons = 20.0, ["same phone number, different area code"]
    if a.emails & b.emails:
        points, reasons = points + 30, [*reasons, "same email"]
    elif shared_names := a.email_names & b.email_names:
        points, reasons = points + 20, [*reasons, f"same email name: {sorted(shared_names)[0]}@…"]
    return points, reasons


def _birth_year_points(a: Prepared, b: Prepared) -> tuple[float, list[str]]:
    year_a, year_b = a.candidate.birth_year, b.candidate.birth_year
    if year_a is None or year_b is None:
        return 0.0, []
    if year_a == year_b:
        return 5.0, ["same birth year"]
    if abs(year_a - year_b) > 1:
        return -25.0, [f"born {year_a} vs {year_b}"]
    return 0.0, []


def score_prepared(a: Prepared, b: Prepared) -> Match:
    total, reasons, doubts = 0.0, list[str](), list[str]()
    for part in (_name_points, _address_points, _contact_points, _birth_year_points):
        points, part_reasons = part(a, b)
        total += points
        (doubts if points < 0 else reasons).extend(part_reasons)
    score = max(0, min(100, round(total)))
    if a.phones & b.phones or a.emails & b.emails:
        # A shared number or address never merges two records on its own, but it always asks a
        # human: the same household, a recycled number or the same person entered twice look alike.
        score = max(score, PROPOSAL_THRESHOLD)
    return Match(score=score, reasons=reasons, doubts=doubts)


def score_pair(a: Candidate, b: Candidate) -> Match:
    """0-100: how sure we are these two records are one human, with the reasons a person can check."""
    return score_prepared(prepare(a), prepare(b))


# ---- blocking -------------------------------------------------------------------------------


def _keyed_rows(people: QuerySet[Person]) -> Iterator[tuple[QuerySet[Any], str]]:
    """One queryset per blocking rule, each with a ``block`` annotation, and its person id column."""
    zip5 = Substr("zip_code", 1, 5)
    last_name_and_zip = people.filter(~Q(last_name=""), ~Q(zip_code="")).annotate(
        block=Concat(Value("z:"), Lower(Substr("last_name", 1, 3)), Value("|"), zip5)
    )
    initials_and_city = people.filter(~Q(first_name=""), ~Q(last_name=""), ~Q(city="")).annotate(
        block=Concat(
            Value("c:"), Lower(Substr("first_name", 1, 1)), Lower(Substr("last_name", 1, 2)), Value("|"),
            Lower("city"), Value("|"), "state",
        )
    )  # fmt: skip
    street = people.filter(~Q(address_line1="")).annotate(
        block=Concat(Value("a:"), Lower("address_line1"), Value("|"), zip5)
    )
    person_ids = people.values("pk")
    phone_end = PhoneNumber.objects.filter(person__in=person_ids).annotate(
        block=Concat(Value("p:"), Right("number", 7))
    )
    # The local part without dots: Gmail ignores them, and people type them inconsistently.
    local_part = Replace(Left("address", StrIndex("address", Value("@")) - 1), Value("."))
    email_name = (
        EmailAddress.objects.filter(person__in=person_ids)
        .annotate(block=Concat(Value("e:"), local_part), block_length=Length(Concat(Value("e:"), local_part)))
        .filter(block_length__gte=6)  # "e:" and at least four characters: "jo@" says nothing
    )
    yield from ((last_name_and_zip, "pk"), (initials_and_city, "pk"), (street, "pk"))
    yield from ((phone_end, "person_id"), (email_name, "person_id"))


def _members_by_rule(
    people: QuerySet[Person], touching: QuerySet[Person] | None = None
) -> Iterator[QuerySet[Any, tuple[str, int]]]:
    """Per blocking rule, (block key, person id) for every person who shares a block key with
    1..MAX_BLOCK-1 others. The database does the grouping, so Python only ever sees people who have
    a possible twin. With ``touching``, only the blocks one of those people is in (an incremental refresh)."""
    for keyed, person_column in _keyed_rows(people):
        grouped = keyed
        if touching is not None:
            keys_of_touching = keyed.filter(**{f"{person_column}__in": touching.values("pk")}).values("block")
            grouped = keyed.filter(block__in=keys_of_touching)
        shared = (
            grouped.values("block")
            .annotate(n=Count(person_column, distinct=True))
            .filter(n__gte=2, n__lte=MAX_BLOCK)
            .values("block")
        )
        yield keyed.filter(block__in=shared).values_list("block", person_column)


BLOCKING_RULES = 5


def candidate_pairs(
    people: QuerySet[Person],
    *,
    touching: QuerySet[Person] | None = None,
    progress: ProgressReporter | None = None,
) -> set[tuple[int, int]]:
    """Pairs (smaller id, larger id) that share at least one block key; with ``touching``, only the
    pairs with at least one of those people in them."""
    progress = progress or NoProgress()
    progress.phase("Finding people who share a name, address, phone or email", total=BLOCKING_RULES)
    blocks: dict[str, set[int]] = defaultdict(set)
    for rule_members in _members_by_rule(people, touching):
        for key, person_id in rule_members:
            blocks[key].add(person_id)
        progress.advance()
    pairs: set[tuple[int, int]] = set()
    for block_members in blocks.values():
        pairs.update(combinations(sorted(block_members), 2))
    if touching is not None:
        changed = set(touching.values_list("pk", flat=True))
        pairs = {pair for pair in pairs if pair[0] in changed or pair[1] in changed}
    return pairs


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), READ_CHUNK):
        yield ids[start : start + READ_CHUNK]


def load_candidates(ids: Iterable[int]) -> dict[int, Candidate]:
    """Scoring details of these people, read in slices (the ids came from a scoped query)."""
    emails: dict[int, list[str]] = defaultdict(list)
    phones: dict[int, list[str]] = defaultdict(list)
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(sorted(ids)):
        for person_id, address in EmailAddress.objects.filter(person_id__in=chunk).values_list("person_id", "address"):
            emails[person_id].append(address)
        for person_id, number in PhoneNumber.objects.filter(person_id__in=chunk).values_list("person_id", "number"):
            phones[person_id].append(number)
        rows.extend(
            Person.objects.filter(pk__in=chunk).values_list(
                "pk", "first_name", "last_name", "address_line1", "city", "state", "zip_code", "birth_year"
            )
        )
    return {
        row[0]: Candidate(*row, emails=tuple(emails[row[0]]), phones=tuple(phones[row[0]]))  # type: ignore[misc]  # values_list rows are untyped tuples in field order
        for row in rows
    }


def _dismissed_pairs(people: QuerySet[Person]) -> set[tuple[int, int]]:
    ids = people.values("pk")
    return set(NotDuplicate.objects.filter(first__in=ids, second__in=ids).values_list("first_id", "second_id"))


_SCORE_STEP = 1000  # pairs scored between two progress reports


def propose_duplicates(
    people: QuerySet[Person],
    *,
    threshold: int = PROPOSAL_THRESHOLD,
    touching: QuerySet[Person] | None = None,
    progress: ProgressReporter | None = None,
) -> list[Proposal]:
    """Likely duplicate pairs among ``people`` (already scoped), best first. Dismissed pairs never return.
    With ``touching``, only pairs with at least one of those people (who changed since the last refresh)."""
    progress = progress or NoProgress()
    pairs = candidate_pairs(people, touching=touching, progress=progress) - _dismissed_pairs(people)
    loaded = load_candidates({person_id for pair in pairs for person_id in pair})
    prepared = {person_id: prepare(candidate) for person_id, candidate in loaded.items()}
    progress.phase("Scoring pairs", total=len(pairs))
    proposals = []
    for scored, (first_id, second_id) in enumerate(pairs, start=1):
        match = score_prepared(prepared[first_id], prepared[second_id])
        if match.score >= threshold:
            proposals.append(Proposal(loaded[first_id], loaded[second_id], match.score, match.reasons, match.doubts))
        if scored % _SCORE_STEP == 0:
            progress.advance(_SCORE_STEP)
    progress.advance(len(pairs) % _SCORE_STEP)
    proposals.sort(key=lambda p: (-p.score, p.first.last_name.lower(), p.first.id, p.second.id))
    return proposals


def explain_pair(first: Person, second: Person) -> Match:
    """The score and reasons for two people the caller already fetched through a scoped selector."""
    loaded = load_candidates([first.pk, second.pk])
    return score_pair(loaded[first.pk], loaded[second.pk])
