"""Synthetic voter files in the real layouts, deterministic by seed, at any size, streamed to disk.

Every random draw is a counter-based hash of (seed, stream, index), so any chunk of the file can be
made on its own, the result does not depend on the chunk size, and a later "revision" of the same
file (some voters removed, some changed, some new) is the same people a little later.
Voters are written grouped by county and precinct, as the state's statewide files are. The NC file
carries the shapes real files hold beside plain addresses: apartments ("APT 101"), a few
half-numbered houses ("123 1/2 ELM ST") and a few confidential voters (address "REMOVED", no phone);
its removed (R) and denied (D) registrations have no precinct and no district, as NCSBE writes them.

    python -m groundswell.voterfile.generate --state nc --voters 100000 --seed 7 --out var/voters/gen
"""

from __future__ import annotations

import argparse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from groundswell.voterfile import layouts

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
CHUNK = 250_000
FILE_YEAR = 2024
FILE_DATE = date(2024, 11, 30)

# name pools: small, common, enough variety for households and lists to look real
LAST_NAMES = (
    "SMITH JOHNSON WILLIAMS BROWN JONES GARCIA MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ GONZALEZ "
    "WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN LEE PEREZ THOMPSON WHITE HARRIS SANCHEZ CLARK "
    "RAMIREZ LEWIS ROBINSON WALKER YOUNG ALLEN KING WRIGHT SCOTT TORRES NGUYEN HILL FLORES GREEN ADAMS "
    "NELSON BAKER HALL RIVERA CAMPBELL MITCHELL CARTER ROBERTS PHILLIPS EVANS TURNER PARKER COLLINS "
    "EDWARDS STEWART MORRIS MURPHY COOK ROGERS MORGAN PETERSON COOPER REED BAILEY BELL GOMEZ KELLY HOWARD "
    "WARD COX DIAZ RICHARDSON WOOD WATSON BROOKS BENNETT GRAY JAMES REYES HUGHES PRICE MYERS LONG FOSTER "
    "SANDERS ROSS MORALES POWELL SULLIVAN RUSSELL ORTIZ JENKINS PERRY BUTLER BARNES FISHER HENDERSON "
    "COLEMAN SIMMONS PATTERSON JORDAN REYNOLDS HAMILTON GRAHAM KIM OKAFOR MCALLISTER O'NEAL BYRD"
).split()
FEMALE_NAMES = (
    "MARY PATRICIA JENNIFER LINDA ELIZABETH BARBARA SUSAN JESSICA SARAH KAREN LISA NANCY BETTY SANDRA "
    "MARGARET ASHLEY KIMBERLY EMILY DONNA MICHELLE CAROL AMANDA MELISSA DEBORAH STEPHANIE DOROTHY "
    "REBECCA SHARON LAURA CYNTHIA AMY KATHLEEN ANGELA SHIRLEY BRENDA EMMA ANNA PAMELA NICOLE SAMANTHA "
    "KATHERINE CHRISTINE HELEN DEBRA RACHEL CAROLYN JANET MARIA OLIVIA HEATHER CATHERINE DIANE JULIE "
    "VICTORIA JOYCE LAUREN KELLY CHRISTINA RUTH JOAN VIRGINIA JUDITH EVELYN HANNAH ANDREA MEGAN CHERYL "
    "JACQUELINE MADISON TERESA ABIGAIL SOPHIA MARTHA SARA GLORIA JANICE KATHRYN ANN ISABELLA JUDY "
    "CHARLOTTE JULIA GRACE AMBER ALICE JEAN DENISE FRANCES DANIELLE MARILYN NATALIE BEVERLY DIANA "
    "BRITTANY THERESA KAYLA ALEXIS DORIS LORI TIFFANY ZOE RENÉE"
).split()
MALE_NAMES = (
    "JAMES ROBERT JOHN MICHAEL DAVID WILLIAM RICHARD JOSEPH THOMAS CHRISTOPHER CHARLES DANIEL MATTHEW "
    "ANTHONY MARK DONALD STEVEN ANDREW PAUL JOSHUA KENNETH KEVIN BRIAN TIMOTHY RONALD GEORGE JASON "
    "EDWARD JEFFREY RYAN JACOB NICHOLAS GARY ERIC JONATHAN STEPHEN LARRY JUSTIN SCOTT BRANDON BENJAMIN "
    "SAMUEL GREGORY ALEXANDER PATRICK FRANK RAYMOND JACK DENNIS JERRY TYLER AARON JOSE ADAM NATHAN "
    "HENRY ZACHARY DOUGLAS PETER KYLE NOAH ETHAN JEREMY CHRISTIAN WALTER KEITH AUSTIN ROGER TERRY SEAN "
    "GERALD CARL DYLAN HAROLD JORDAN JESSE BRYAN LAWRENCE ARTHUR GABRIEL BRUCE LOGAN BILLY JOE ALAN "
    "JUAN ELIJAH WILLIE ALBERT WAYNE RANDY MASON VINCENT LIAM ROY BOBBY CALEB BRADLEY RUSSELL LUCAS JOSÉ"
).split()
STREET_WORDS = (
    "MAIN OAK PINE MAPLE CEDAR ELM WALNUT CHESTNUT WILLOW HICKORY DOGWOOD MAGNOLIA CHURCH MILL SPRING "
    "LAKE HILL PARK RIDGE FOREST MEADOW RIVER CREEK VALLEY SUNSET HIGHLAND FRANKLIN WASHINGTON JEFFERSON "
    "MADISON LINCOLN JACKSON MONROE ADAMS WILSON GRANT POPLAR SYCAMORE LAUREL HOLLY BIRCH ASPEN JUNIPER "
    "CHERRY PEACH ORCHARD FARM VINEYARD STATION DEPOT MARKET UNION LIBERTY FREEDOM HOPE GRACE TRINITY "
    "BETHEL SHILOH SALEM ZION PLEASANT FAIRVIEW GREENWOOD WESTOVER EASTWOOD NORTHGATE SOUTHPORT HARBOR "
    "BAY COVE SHORE SAND PEBBLE STONE ROCK IRON COPPER SILVER GOLD FALCON EAGLE HAWK CARDINAL ROBIN "
    "BLUEBIRD DEER FOX BEAR TURKEY QUAIL TOBACCO COTTON MEETING COLLEGE ACADEMY SCHOOL HOSPITAL"
).split()
STREET_SUFFIXES = ("ST", "AVE", "RD", "DR", "LN", "CT", "WAY", "BLVD", "PL", "CIR", "TRL", "HWY")


@dataclass(frozen=True)
class Election:
    on: date
    kind: str  # GENERAL or PRIMARY

    @property
    def nc_label(self) -> str:
        return self.on.strftime("%m/%d/%Y")

    @property
    def nc_desc(self) -> str:
        return f"{self.nc_label} {self.kind}"

    @property
    def ohio_column(self) -> str:
        return f"{self.kind}-{self.nc_label}"


# 8 elections of history, oldest first: four generals and four primaries.
ELECTIONS: tuple[Election, ...] = (
    Election(date(2018, 5, 8), "PRIMARY"),
    Election(date(2018, 11, 6), "GENERAL"),
    Election(date(2020, 3, 3), "PRIMARY"),
    Election(date(2020, 11, 3), "GENERAL"),
    Election(date(2022, 5, 17), "PRIMARY"),
    Election(date(2022, 11, 8), "GENERAL"),
    Election(date(2024, 3, 5), "PRIMARY"),
    Election(date(2024, 11, 5), "GENERAL"),
)
# Turnout multiplier on a voter's propensity: presidential generals high, primaries low.
ELECTION_TURNOUT = np.array([0.55, 1.35, 0.7, 1.75, 0.52, 1.3, 0.66, 1.75])

_M1, _M2, _GOLD = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)


def _mix(x: U64) -> U64:
    """splitmix64's finalizer: a well-spread 64-bit hash of each element."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def uniform(seed: int, stream: int, index: npt.ArrayLike) -> F64:
    """A uniform [0, 1) draw for each index, fixed by (seed, stream, index)."""
    with np.errstate(over="ignore"):
        key = _mix(np.array([seed * 1_000_003 + stream], dtype=np.uint64) * _GOLD)
        x = _mix(np.asarray(index, dtype=np.uint64) * _GOLD + key)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def pick(u: F64, weights: npt.ArrayLike) -> I64:
    """Index drawn from a discrete distribution by inverting its cumulative weights."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1).astype(np.int64)


@dataclass(frozen=True)
class StateSpec:
    state: str
    counties: tuple[str, ...]
    precincts: int  # at full size
    congressional: int
    senate: int
    house: int
    zip_base: int
    zip_span: int
    area_codes: tuple[str, ...]


NC = StateSpec("NC", layouts.NC_COUNTIES, 2700, 14, 50, 120, 27006, 1900, ("919", "704", "336", "828", "910", "252"))
OH = StateSpec("OH", layouts.OHIO_COUNTIES, 8900, 15, 33, 99, 43001, 2900, ("614", "216", "513", "330", "419", "740"))


class Geography:
    """Counties, precincts with their districts and streets, and how many voters live in each precinct."""

    def __init__(self, spec: StateSpec, voters: int, seed: int, precincts: int | None = None) -> None:
        rng = np.random.default_rng([seed, 1])
        n_counties = len(spec.counties)
        n_precincts = precincts or int(np.clip(voters // 300, n_counties, spec.precincts))
        county_weight = rng.lognormal(0.0, 1.1, n_counties)
        per_county = np.maximum(1, np.floor(county_weight / county_weight.sum() * (n_precincts - n_counties)))
        per_county = per_county.astype(np.int64)
        per_county[np.argmax(county_weight)] += n_precincts - per_county.sum()  # the biggest county absorbs rounding
        self.spec = spec
        self.county_of_precinct = np.repeat(np.arange(n_counties), per_county)  # precincts sorted by county
        self.number_in_county = np.concatenate([np.arange(1, k + 1) for k in per_county])
        p = len(self.county_of_precinct)
        weight = county_weight[self.county_of_precinct] / per_county[self.county_of_precinct]
        weight *= rng.lognormal(0.0, 0.35, p)
        self.voters_in_precinct = rng.multinomial(voters, weight / weight.sum())
        self.first_voter = np.concatenate([[0], np.cumsum(self.voters_in_precinct)])
        self.streets_in_precinct = 6 + (uniform(seed, 2, np.arange(p)) * 30).astype(np.int64)
        self.county_lean = uniform(seed, 3, np.arange(n_counties)) * 0.5 - 0.25  # + leans DEM
        share = np.cumsum(self.voters_in_precinct) / max(voters, 1)
        self.house = np.minimum((share * spec.house).astype(np.int64), spec.house - 1) + 1
        self.senate = np.minimum((share * spec.senate).astype(np.int64), spec.senate - 1) + 1
        self.congressional = np.minimum((share * spec.congressional).astype(np.int64), spec.congressional - 1) + 1
        self.in_city = uniform(seed, 4, np.arange(p)) < 0.55
        self.zip = spec.zip_base + (uniform(seed, 5, np.arange(p)) * spec.zip_span).astype(np.int64)

    def precinct_of(self, voter_index: I64) -> I64:
        return np.searchsorted(self.first_voter, voter_index, side="right").astype(np.int64) - 1


def _s(values: npt.ArrayLike) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values)), pa.string())


def _pad(values: npt.ArrayLike, width: int) -> pa.Array:
    return pc.utf8_lpad(_s(values), width=width, padding="0")


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _take(pool: tuple[str, ...] | list[str], index: I64) -> pa.Array:
    return pa.array(pool, pa.string()).take(pa.array(index))


def _when(mask: npt.NDArray[np.bool_], values: pa.Array) -> pa.Array:
    """values where mask is true, null (a blank field) elsewhere."""
    return pc.if_else(pa.array(mask), values, pa.scalar(None, pa.string()))


def _dates(days: I64, fmt: str) -> pa.Array:
    return pc.strftime(pc.cast(pa.array(days.astype("datetime64[D]")), pa.timestamp("s")), format=fmt)


@dataclass
class VoterChunk:
    """The people of one chunk of the file, as numpy arrays, before any layout is applied."""

    index: I64  # the voter's stable number: its ids derive from it
    precinct: I64
    household: I64
    county: I64
    age: I64
    gender: I64  # 0 F, 1 M, 2 U
    party: I64  # index into PARTIES
    status: I64  # index into STATUSES
    race: I64
    ethnic: I64
    registered: I64  # days since 1970-01-01
    propensity: F64
    last: I64
    first: I64
    middle: I64
    house_number: I64
    street: I64  # index into the street name pool
    suffix: I64
    apartment: I64  # 0: none


PARTIES = ("DEM", "REP", "UNA", "LIB", "GRE")
STATUSES = ("A", "I", "R", "D", "S")
STATUS_REASONS = (
    ("AV", "VERIFIED"),
    ("IN", "CONFIRMATION NOT RETURNED"),
    ("RL", "MOVED FROM COUNTY"),
    ("DN", "DENIED"),
    ("SM", "MILITARY"),
)
CONFIDENTIAL = 0.002  # share of voters whose address the state withholds
HALF_NUMBERED = 0.003  # share of houses (not apartment buildings) numbered "<n> 1/2"
RACES = ("W", "B", "U", "O", "A", "M", "I", "P")
ETHNICS = ("NL", "UN", "HL")
AGE_BANDS = np.array([18, 25, 35, 45, 55, 65, 75, 101])
AGE_WEIGHTS = np.array([0.11, 0.17, 0.16, 0.16, 0.17, 0.14, 0.09])


class Synth:
    """One state's synthetic population: voter i is the same person at every chunk size and revision."""

    def __init__(self, spec: StateSpec, voters: int, seed: int, revision: int = 0) -> None:
        self.spec, self.voters, self.seed, self.revision = spec, voters, seed, revision
        self.geo = Geography(spec, voters, seed)
        # a later revision adds 2% new voters per revision; they get numbers after the original ones
        self.added = round(voters * 0.02 * revision)

    def chunks(self, size: int = CHUNK) -> Iterator[VoterChunk]:
        total = self.voters + self.added
        for start in range(0, total, size):
            index = np.arange(start, min(start + size, total), dtype=np.int64)
            if self.revision:
                gone = (index < self.voters) & (uniform(self.seed, 100 + self.revision, index) < 0.02 * self.revision)
                index = index[~gone]
            yield self.people(index)

    def people(self, index: I64) -> VoterChunk:
        s, geo, _n = self.seed, self.geo, len(index)
        new = index >= self.voters
        # a new voter lives in the precinct of an existing one, in a household of their own
        home = np.where(new, (index * 7919) % max(self.voters, 1), index)
        precinct = geo.precinct_of(home)
        starts = (uniform(s, 10, home) < 0.48) | (home == geo.first_voter[precinct])
        household = np.where(new, index + 10**9, self._household_number(home, starts))
        county = geo.county_of_precinct[precinct]
        age = self._ages(index)
        gender = pick(uniform(s, 12, index), [0.52, 0.46, 0.02])
        lean = geo.county_lean[county] + (age < 35) * 0.05
        party = pick(uniform(s, 13, index), [0.33, 0.30, 0.35, 0.015, 0.005])
        party = np.where(uniform(s, 14, index) < np.abs(lean), np.where(lean > 0, 0, 1), party)
        if self.revision:  # some voters changed party since the first file
            switched = uniform(s, 200 + self.revision, index) < 0.03
            party = np.where(switched, (party + 1 + (uniform(s, 201, index) < 0.5)) % 3, party)
        born = FILE_YEAR - age
        earliest = np.maximum(born + 18, 1972)
        reg_year = earliest + (uniform(s, 15, index) * (FILE_YEAR + 1 - earliest)).astype(np.int64)
        registered = (reg_year - 1970) * 365 + (reg_year - 1969) // 4 + (uniform(s, 16, index) * 364).astype(np.int64)
        apartment_bldg = uniform(s, 20, household // 6) < 0.16
        building = np.where(apartment_bldg, household // 6, household)
        streets = geo.streets_in_precinct[precinct]
        street_in_precinct = (uniform(s, 21, building) * streets).astype(np.int64)
        street_key = precinct * 64 + street_in_precinct
        last_hh = (uniform(s, 23, household) ** 1.6 * len(LAST_NAMES)).astype(np.int64)
        last_own = (uniform(s, 24, index) ** 1.6 * len(LAST_NAMES)).astype(np.int64)
        return VoterChunk(
            index=index,
            precinct=precinct,
            household=household,
            county=county,
            age=age,
            gender=gender,
            party=party,
            status=pick(uniform(s, 17, index), [0.86, 0.10, 0.02, 0.01, 0.01]),
            race=pick(uniform(s, 18, index), [0.62, 0.21, 0.07, 0.04, 0.02, 0.02, 0.01, 0.01]),
            ethnic=pick(uniform(s, 19, index), [0.75, 0.20, 0.05]),
            registered=registered,
            propensity=np.clip(0.12 + 0.55 * (age - 18) / 60 + 0.35 * (uniform(s, 25, index) - 0.5), 0.03, 0.95),
            last=np.where(uniform(s, 26, index) < 0.85, last_hh, last_own),
            first=(uniform(s, 27, index) ** 1.4 * 100).astype(np.int64),
            middle=(uniform(s, 28, index) * 100).astype(np.int64),
            house_number=self._house_numbers(building, street_key),
            street=(uniform(s, 30, street_key) * len(STREET_WORDS)).astype(np.int64),
            suffix=(uniform(s, 31, street_key) * len(STREET_SUFFIXES)).astype(np.int64),
            apartment=np.where(
                apartment_bldg, household % 6 + 1 + (uniform(s, 32, building) * 3).astype(np.int64) * 100, 0
            ),
        )

    def _household_number(self, home: I64, starts: npt.NDArray[np.bool_]) -> I64:
        # A household is a run of consecutive voters; its number is the index of its first voter, found
        # by carrying the last start forward (runs never cross a precinct, whose first voter starts one).
        pos = np.where(starts, home, -1)
        first = np.maximum.accumulate(pos) if len(pos) else pos
        missing = first < 0  # the chunk began inside a household: walk back to its start
        if missing.any():
            back = int(home[0])
            while back > 0 and not bool(starts_at(self, back)):
                back -= 1
            first = np.where(missing, back, first)
        return first.astype(np.int64)

    def _ages(self, index: I64) -> I64:
        band = pick(uniform(self.seed, 11, index), AGE_WEIGHTS)
        low, high = AGE_BANDS[band], AGE_BANDS[band + 1]
        ages: I64 = (low + uniform(self.seed, 33, index) * (high - low)).astype(np.int64)
        return ages

    def _house_numbers(self, building: I64, street_key: I64) -> I64:
        # each street has a block range; odd numbers on one side, even on the other
        base = 100 + (uniform(self.seed, 34, street_key) * 40).astype(np.int64) * 100
        return base + (uniform(self.seed, 35, building) * 1500).astype(np.int64)


def starts_at(synth: Synth, i: int) -> bool:
    precinct = synth.geo.precinct_of(np.array([i]))[0]
    return bool(uniform(synth.seed, 10, np.array([i]))[0] < 0.48 or i == synth.geo.first_voter[precinct])


def _street_names(c: VoterChunk) -> pa.Array:
    return _join(_take(STREET_WORDS, c.street), " ", _take(STREET_SUFFIXES, c.suffix))


def _first_names(c: VoterChunk) -> pa.Array:
    female = _take(FEMALE_NAMES, c.first % len(FEMALE_NAMES))
    male = _take(MALE_NAMES, c.first % len(MALE_NAMES))
    return pc.if_else(pa.array(c.gender == 0), female, male)


def _phones(synth: Synth, c: VoterChunk) -> pa.Array:
    codes = synth.spec.area_codes
    area = _take(list(codes), c.county % len(codes))
    number = _pad((uniform(synth.seed, 40, c.index) * 9_000_000).astype(np.int64) + 1_000_000, 7)
    return _when(uniform(synth.seed, 41, c.index) < 0.6, _join(area, number))


def _apartments(c: VoterChunk) -> pa.Array:
    return _when(c.apartment > 0, _join("APT ", _s(c.apartment)))


def nc_voter_table(synth: Synth, c: VoterChunk) -> pa.Table:
    geo, n = synth.geo, len(c.index)
    county_ids = c.county + 1
    county_names = _take(layouts.NC_COUNTIES, c.county)
    precinct_code = _pad(geo.number_in_county[c.precinct], 4)
    reasons = STATUS_REASONS
    # a few houses are half-numbered ("123 1/2 ELM ST"), and a few voters are confidential: the state's
    # file has "REMOVED" for their street address and no phone
    half = (c.apartment == 0) & (uniform(synth.seed, 43, c.household) < HALF_NUMBERED)
    number = pc.if_else(pa.array(half), _join(_s(c.house_number), " 1/2"), _s(c.house_number))
    street = _join(number, " ", _street_names(c))
    apartment = _apartments(c)
    address = pc.if_else(pa.array(c.apartment > 0), _join(street, " ", pc.fill_null(apartment, "")), street)
    confidential = uniform(synth.seed, 42, c.index) < CONFIDENTIAL
    address = pc.if_else(pa.array(confidential), pa.scalar(layouts.NC_WITHHELD_ADDRESS), address)
    city = pc.if_else(pa.array(geo.in_city[c.precinct]), _join(county_names, " CITY"), county_names)
    blank = pa.nulls(n, pa.string())
    letters = np.array([f"{chr(65 + k // 26)}{chr(65 + k % 26)}" for k in range(100)])
    cols: dict[str, pa.Array] = {
        "county_id": _s(county_ids),
        "county_desc": county_names,
        "voter_reg_num": _pad(c.index + 1, 12),
        "ncid": _join(_s(letters[c.county]), _pad(c.index + 1, 7)),
        "last_name": _take(LAST_NAMES, c.last),
        "first_name": _first_names(c),
        "middle_name": _when(c.middle < 70, _take(MALE_NAMES + FEMALE_NAMES, c.middle)),
        "name_suffix_lbl": _when((c.middle > 95) & (c.gender == 1), _take(["JR", "SR", "III"], c.middle % 3)),
        "status_cd": _take(STATUSES, c.status),
        "voter_status_desc": _take([layouts.STATUS_CODES[k] for k in STATUSES], c.status),
        "reason_cd": _take([r[0] for r in reasons], c.status),
        "voter_status_reason_desc": _take([r[1] for r in reasons], c.status),
        "res_street_address": address,
        "res_city_desc": city,
        "state_cd": pa.array(["NC"] * n),
        "zip_code": _s(geo.zip[c.precinct]),
        "mail_addr1": blank, "mail_addr2": blank, "mail_addr3": blank, "mail_addr4": blank,
        "mail_city": blank, "mail_state": blank, "mail_zipcode": blank,
        "full_phone_number": pc.if_else(pa.array(confidential), blank, _phones(synth, c)),
        "confidential_ind": _take(["N", "Y"], confidential.astype(np.int64)),
        "registr_dt": _dates(c.registered, "%m/%d/%Y"),
        "race_code": _take(RACES, c.race),
        "ethnic_code": _take(ETHNICS, c.ethnic),
        "party_cd": _take(PARTIES, c.party),
        "gender_code": _take(["F", "M", "U"], c.gender),
        "birth_year": _s(FILE_YEAR - c.age),
        "age_at_year_end": _s(c.age),
        "birth_state": _when(c.middle % 3 == 0, _take(["NC", "VA", "SC", "NY", "FL", "GA"], c.middle % 6)),
        "drivers_lic": _take(["Y", "N"], (c.middle % 5 == 0).astype(np.int64)),
        "precinct_abbrv": precinct_code,
        "precinct_desc": _join(county_names, " PCT ", precinct_code),
        "municipality_abbrv": _when(geo.in_city[c.precinct], _pad(county_ids, 3)),
        "municipality_desc": _when(geo.in_city[c.precinct], city),
        "ward_abbrv": _when(geo.in_city[c.precinct], _s(geo.number_in_county[c.precinct] % 7 + 1)),
        "ward_desc": blank,
        "cong_dist_abbrv": _pad(geo.congressional[c.precinct], 2),
        "super_court_abbrv": _s(c.county // 3 + 1),
        "judic_dist_abbrv": _s(c.county // 3 + 1),
        "nc_senate_abbrv": _pad(geo.senate[c.precinct], 2),
        "nc_house_abbrv": _pad(geo.house[c.precinct], 3),
        "county_commiss_abbrv": _s(geo.number_in_county[c.precinct] % 5 + 1),
        "county_commiss_desc": blank,
        "township_abbrv": blank, "township_desc": blank,
        "school_dist_abbrv": _s(c.county + 1), "school_dist_desc": blank,
        "fire_dist_abbrv": blank, "fire_dist_desc": blank, "water_dist_abbrv": blank, "water_dist_desc": blank,
        "sewer_dist_abbrv": blank, "sewer_dist_desc": blank, "sanit_dist_abbrv": blank, "sanit_dist_desc": blank,
        "rescue_dist_abbrv": blank, "rescue_dist_desc": blank, "munic_dist_abbrv": blank, "munic_dist_desc": blank,
        "dist_1_abbrv": _s(c.county // 4 + 1), "dist_1_desc": blank,
        "vtd_abbrv": precinct_code, "vtd_desc": _join(county_names, " VTD ", precinct_code),
    }  # fmt: skip
    assert tuple(cols) == layouts.NCVOTER_COLUMNS
    unplaced = np.isin(np.array(STATUSES)[c.status], layouts.NO_PRECINCT_STATUSES)
    for name in NC_PLACE_COLUMNS:  # as NCSBE writes a removed or denied registration: no precinct, no districts
        cols[name] = _when(~unplaced, cols[name])
    return pa.table(cols)


# The columns NCSBE leaves blank for a removed or denied registration: the precinct and every district.
NC_PLACE_COLUMNS = layouts.NCVOTER_COLUMNS[layouts.NCVOTER_COLUMNS.index("precinct_abbrv") :]


def votes_cast(synth: Synth, c: VoterChunk) -> npt.NDArray[np.bool_]:
    """A voters x elections matrix of who voted; only registered voters vote, removed ones rarely."""
    days = np.array([(e.on - date(1970, 1, 1)).days for e in ELECTIONS])
    u = uniform(synth.seed, 50, c.index[:, None] * 16 + np.arange(len(ELECTIONS))[None, :])
    chance = np.clip(c.propensity[:, None] * ELECTION_TURNOUT[None, :], 0, 0.97)
    voted: npt.NDArray[np.bool_] = (u < chance) & (c.registered[:, None] < days[None, :])
    return voted


NC_METHODS = ("IN-PERSON", "ABSENTEE ONESTOP", "ABSENTEE BY MAIL", "PROVISIONAL", "EARLY VOTING IN-PERSON")


def nc_history_table(synth: Synth, c: VoterChunk) -> pa.Table:
    voted = votes_cast(synth, c)
    who, which = np.nonzero(voted)
    n = len(who)
    election_kind = np.array([e.kind == "PRIMARY" for e in ELECTIONS])[which]
    u = uniform(synth.seed, 51, c.index[who] * 16 + which)
    method = pick(u, [0.40, 0.42, 0.14, 0.04])
    method = np.where((method == 1) & (which == len(ELECTIONS) - 1), 4, method)  # 2024 uses the newer label
    party = c.party[who]
    ballot = np.where(party >= 2, np.where(uniform(synth.seed, 52, c.index[who]) < 0.55, 0, 1), party)
    voted_party = np.where(election_kind, ballot, party)
    county_ids = c.county[who] + 1
    county_names = _take(layouts.NC_COUNTIES, c.county[who])
    precinct_code = _pad(synth.geo.number_in_county[c.precinct[who]], 4)
    letters = np.array([f"{chr(65 + k // 26)}{chr(65 + k % 26)}" for k in range(100)])
    cols = {
        "county_id": _s(county_ids),
        "county_desc": county_names,
        "voter_reg_num": _pad(c.index[who] + 1, 12),
        "election_lbl": _take([e.nc_label for e in ELECTIONS], which),
        "election_desc": _take([e.nc_desc for e in ELECTIONS], which),
        "voting_method": _take(NC_METHODS, method),
        "voted_party_cd": _take(PARTIES, voted_party),
        "voted_party_desc": _take([layouts.PARTY_CODES[p] for p in PARTIES], voted_party),
        "pct_label": precinct_code,
        "pct_description": _join(county_names, " PCT ", precinct_code),
        "ncid": _join(_s(letters[c.county[who]]), _pad(c.index[who] + 1, 7)),
        "voted_county_id": _s(county_ids),
        "voted_county_desc": county_names,
        "vtd_label": precinct_code,
        "vtd_description": _join(county_names, " VTD ", precinct_code),
    }
    assert tuple(cols) == layouts.NCVHIS_COLUMNS and n == len(cols["ncid"])
    return pa.table(cols)


def ohio_table(synth: Synth, c: VoterChunk) -> pa.Table:
    geo, n = synth.geo, len(c.index)
    county_num = c.county + 1
    county_names = _take(layouts.OHIO_COUNTIES, c.county)
    precinct_code = _join(_pad(county_num, 2), "-", _pad(geo.number_in_county[c.precinct], 3))
    blank = pa.nulls(n, pa.string())
    city = pc.if_else(pa.array(geo.in_city[c.precinct]), _join(county_names, " CITY"), county_names)
    birth = (FILE_YEAR - c.age - 1970) * 365 + (FILE_YEAR - c.age - 1969) // 4 + (c.middle * 3.6).astype(np.int64)
    status = np.where(c.status == 1, "CONFIRMATION", "ACTIVE")
    party_letter = np.array(["D", "R", "", "L", "G"])[c.party]
    cols: dict[str, pa.Array] = {
        "SOS_VOTERID": _join("OH", _pad(c.index + 1, 10)),
        "COUNTY_NUMBER": _s(county_num),
        "COUNTY_ID": _pad(c.index % 1_000_000 + 1, 8),
        "LAST_NAME": _take(LAST_NAMES, c.last),
        "FIRST_NAME": _first_names(c),
        "MIDDLE_NAME": _when(c.middle < 70, _take(MALE_NAMES + FEMALE_NAMES, c.middle)),
        "SUFFIX": blank,
        "DATE_OF_BIRTH": _dates(birth, "%Y-%m-%d"),
        "REGISTRATION_DATE": _dates(c.registered, "%Y-%m-%d"),
        "VOTER_STATUS": pa.array(status),
        "PARTY_AFFILIATION": _when(party_letter != "", pa.array(party_letter)),
        "RESIDENTIAL_ADDRESS1": _join(_s(c.house_number), " ", _street_names(c)),
        "RESIDENTIAL_SECONDARY_ADDR": _apartments(c),
        "RESIDENTIAL_CITY": city,
        "RESIDENTIAL_STATE": pa.array(["OH"] * n),
        "RESIDENTIAL_ZIP": _s(geo.zip[c.precinct]),
        "RESIDENTIAL_ZIP_PLUS4": _when(c.middle < 50, _pad(c.middle * 97 % 10000, 4)),
        "RESIDENTIAL_COUNTRY": blank, "RESIDENTIAL_POSTALCODE": blank,
        "MAILING_ADDRESS1": blank, "MAILING_SECONDARY_ADDRESS": blank, "MAILING_CITY": blank,
        "MAILING_STATE": blank, "MAILING_ZIP": blank, "MAILING_ZIP_PLUS4": blank, "MAILING_COUNTRY": blank,
        "MAILING_POSTAL_CODE": blank, "CAREER_CENTER": blank,
        "CITY": _when(geo.in_city[c.precinct], city),
        "CITY_SCHOOL_DISTRICT": blank, "COUNTY_COURT_DISTRICT": blank,
        "CONGRESSIONAL_DISTRICT": _pad(geo.congressional[c.precinct], 2),
        "COURT_OF_APPEALS": _pad(c.county // 8 + 1, 2),
        "EDU_SERVICE_CENTER_DISTRICT": blank, "EXEMPTED_VILL_SCHOOL_DISTRICT": blank, "LIBRARY": blank,
        "LOCAL_SCHOOL_DISTRICT": blank, "MUNICIPAL_COURT_DISTRICT": blank,
        "PRECINCT_NAME": _join(county_names, " PRECINCT ", precinct_code),
        "PRECINCT_CODE": precinct_code,
        "STATE_BOARD_OF_EDUCATION": _pad(c.county // 8 + 1, 2),
        "STATE_REPRESENTATIVE_DISTRICT": _pad(geo.house[c.precinct], 2),
        "STATE_SENATE_DISTRICT": _pad(geo.senate[c.precinct], 2),
        "TOWNSHIP": blank, "VILLAGE": blank,
        "WARD": _when(geo.in_city[c.precinct], _s(geo.number_in_county[c.precinct] % 7 + 1)),
    }  # fmt: skip
    voted = votes_cast(synth, c)
    ballot = np.where(c.party >= 2, np.where(uniform(synth.seed, 52, c.index) < 0.55, "D", "R"), party_letter)
    for k, election in enumerate(ELECTIONS):
        mark = ballot if election.kind == "PRIMARY" else np.full(n, "X")
        cols[election.ohio_column] = _when(voted[:, k], pa.array(mark))
    return pa.table(cols)


Progress = Callable[[str, int, int], None]


def _write(
    path: Path, tables: Iterator[pa.Table], delimiter: str, progress: Progress | None, phase: str, total: int
) -> int:
    rows = 0
    with pa.OSFile(str(path), "wb") as sink:
        writer: pacsv.CSVWriter | None = None
        for table in tables:
            if writer is None:
                options = pacsv.WriteOptions(delimiter=delimiter, quoting_style="all_valid", batch_size=65_536)
                writer = pacsv.CSVWriter(sink, table.schema, write_options=options)
            writer.write_table(table)
            rows += table.num_rows
            if progress:
                progress(phase, rows, total)
        if writer is not None:
            writer.close()
    return rows


@dataclass(frozen=True)
class Generated:
    voter_file: Path
    history_file: Path | None
    voters: int
    history_rows: int


def generate_nc(out: Path, voters: int, seed: int, *, revision: int = 0, progress: Progress | None = None) -> Generated:
    """Write ncvoter_Statewide.txt and ncvhis_Statewide.txt for a synthetic North Carolina."""
    out.mkdir(parents=True, exist_ok=True)
    synth = Synth(NC, voters, seed, revision)
    suffix = f"_r{revision}" if revision else ""
    voter_path, history_path = out / f"ncvoter_Statewide{suffix}.txt", out / f"ncvhis_Statewide{suffix}.txt"
    n = _write(voter_path, (nc_voter_table(synth, c) for c in synth.chunks()), "\t", progress, "ncvoter", voters)
    h = _write(history_path, (nc_history_table(synth, c) for c in synth.chunks()), "\t", progress, "ncvhis", n * 3)
    return Generated(voter_path, history_path, n, h)


def generate_ohio(
    out: Path, voters: int, seed: int, *, revision: int = 0, progress: Progress | None = None
) -> Generated:
    """Write a synthetic Ohio SWVF (comma-separated, one column per election)."""
    out.mkdir(parents=True, exist_ok=True)
    synth = Synth(OH, voters, seed, revision)
    path = out / (f"SWVF_1_88_r{revision}.txt" if revision else "SWVF_1_88.txt")
    n = _write(path, (ohio_table(synth, c) for c in synth.chunks()), ",", progress, "swvf", voters)
    return Generated(path, None, n, 0)


def nc_county_file(voter_file: Path, county_id: int) -> Path:
    """The county's own file beside the statewide one, as NCSBE publishes it (``ncvoter<N>.txt``): the
    statewide header and the county's rows, in the same order."""
    path = voter_file.with_name(f"ncvoter{county_id}.txt")
    prefix = f'"{county_id}"\t'
    with open(voter_file, encoding="utf-8") as source, open(path, "w", encoding="utf-8") as out:
        out.write(next(source))
        out.writelines(line for line in source if line.startswith(prefix))
    return path


def zip_file(path: Path) -> Path:
    """The file inside a zip archive next to it, as the states publish them."""
    archive = path.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.write(path, arcname=path.name)
    return archive


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--state", choices=["nc", "oh"], default="nc")
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--revision", type=int, default=0, help="a later file: some voters removed, changed, added")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--zip", action="store_true", help="also write each file zipped")
    args = parser.parse_args(argv)

    def show(phase: str, done: int, total: int) -> None:
        print(f"\r{phase}: {done:,} rows", end="", flush=True)

    make = generate_nc if args.state == "nc" else generate_ohio
    result = make(args.out, args.voters, args.seed, revision=args.revision, progress=show)
    print()
    for path in (result.voter_file, result.history_file):
        if path is not None:
            print(path, zip_file(path) if args.zip else "")
    print(f"{result.voters:,} voters, {result.history_rows:,} history rows")


if __name__ == "__main__":
    main()
