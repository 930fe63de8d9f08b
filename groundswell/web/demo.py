"""The demo organization: chapters, people, memberships, consent, tags, duplicates and one login per role.

Everything comes from one seeded random generator, so a seed always gives the same people with the
same names and emails. ``plan_demo`` decides everything without touching the database (so it can be
compared run to run); ``load_demo`` writes the plan with bulk inserts, which keeps 5,000 people to a few
seconds on SQLite. Phone numbers are in the 555-0100..0199 block every US area code reserves for
fiction; emails are at example.com/.net/.org, reserved for documentation.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils import timezone

from groundswell.chapters.actions import do_create_chapter, do_grant_role
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus, Role
from groundswell.chapters.owners import chapter_owner
from groundswell.core.actions import do_create_user
from groundswell.core.models import User
from groundswell.people import facts
from groundswell.people.facts import rebuild_views
from groundswell.people.models import (
    Acceptance,
    ConsentChannel,
    ConsentEvent,
    DetailFact,
    EmailAddress,
    Membership,
    Person,
    PersonTag,
    PhoneKind,
    PhoneNumber,
    Tag,
    TimelineEntry,
    TimelineKind,
    Via,
    reversed_digits,
    sort_name_for,
)
from groundswell.people.proposals import do_queue_duplicate_refresh

DEFAULT_SEED = 2026
DEFAULT_PEOPLE = 5000
DUPLICATE_PAIRS = 40
DEMO_PASSWORD = "groundswell-demo-2026"
HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class DemoChapter:
    name: str
    slug: str
    state: str
    city: str
    county: str
    zips: tuple[str, ...]
    area_codes: tuple[str, ...]
    founded_months_ago: int
    weight: int  # how big the chapter is, relative to the others
    status: str = ChapterStatus.ACTIVE
    country: str = "US"


CHAPTERS: tuple[DemoChapter, ...] = (
    DemoChapter("Providence Groundswell", "providence", "RI", "Providence", "Providence",
                ("02903", "02904", "02905", "02906", "02907", "02908", "02909"), ("401",), 36, 9),
    DemoChapter("Pawtucket Groundswell", "pawtucket", "RI", "Pawtucket", "Providence",
                ("02860", "02861", "02862"), ("401",), 26, 4),
    DemoChapter("Newport Groundswell", "newport", "RI", "Newport", "Newport", ("02840", "02842"), ("401",), 14, 2),
    DemoChapter("Pittsburgh Groundswell", "pittsburgh", "PA", "Pittsburgh", "Allegheny",
                ("15206", "15213", "15217", "15224", "15232"), ("412",), 36, 9),
    DemoChapter("Philadelphia Groundswell", "philadelphia", "PA", "Philadelphia", "Philadelphia",
                ("19104", "19122", "19143", "19146", "19147"), ("215", "267"), 35, 11),
    DemoChapter("Harrisburg Groundswell", "harrisburg", "PA", "Harrisburg", "Dauphin",
                ("17101", "17102", "17104"), ("717",), 22, 3),
    DemoChapter("Erie Groundswell", "erie", "PA", "Erie", "Erie", ("16501", "16502", "16503"), ("814",), 4, 1,
                ChapterStatus.FORMING),
    DemoChapter("Raleigh Groundswell", "raleigh", "NC", "Raleigh", "Wake",
                ("27601", "27603", "27605", "27608"), ("919",), 30, 6),
    DemoChapter("Durham Groundswell", "durham", "NC", "Durham", "Durham",
                ("27701", "27703", "27705", "27707"), ("919",), 33, 6),
    DemoChapter("Charlotte Groundswell", "charlotte", "NC", "Charlotte", "Mecklenburg",
                ("28202", "28203", "28205", "28208"), ("704", "980"), 24, 6),
    DemoChapter("Asheville Groundswell", "asheville", "NC", "Asheville", "Buncombe",
                ("28801", "28803", "28806"), ("828",), 18, 3),
    DemoChapter("Columbus Groundswell", "columbus", "OH", "Columbus", "Franklin",
                ("43201", "43205", "43206", "43215"), ("614",), 31, 7),
    DemoChapter("Cleveland Groundswell", "cleveland", "OH", "Cleveland", "Cuyahoga",
                ("44102", "44103", "44113", "44120"), ("216",), 28, 6),
    DemoChapter("Cincinnati Groundswell", "cincinnati", "OH", "Cincinnati", "Hamilton",
                ("45202", "45206", "45219", "45220"), ("513",), 20, 5),
    DemoChapter("Toledo Groundswell", "toledo", "OH", "Toledo", "Lucas", ("43604", "43609", "43610"), ("419",), 8, 2),
    DemoChapter("Boston Groundswell", "boston", "MA", "Boston", "Suffolk",
                ("02118", "02119", "02130"), ("617",), 27, 6),
    DemoChapter("Atlanta Groundswell", "atlanta", "GA", "Atlanta", "Fulton",
                ("30303", "30306", "30310", "30312"), ("404",), 25, 6),
    DemoChapter("Detroit Groundswell", "detroit", "MI", "Detroit", "Wayne",
                ("48201", "48207", "48208"), ("313",), 21, 5),
    DemoChapter("Madison Groundswell", "madison", "WI", "Madison", "Dane", ("53703", "53704", "53705"), ("608",), 5, 1,
                ChapterStatus.FORMING),
    DemoChapter("Groundswell Abroad — Berlin", "abroad-berlin", "", "Berlin", "", ("10115", "10245", "10999"), (),
                16, 1, country="DE"),
)  # fmt: skip

# Area codes beyond the chapters' own, for people whose local 555-01xx block is used up.
SPARE_AREA_CODES = (
    "202", "206", "212", "213", "234", "252", "303", "305", "312", "330", "336", "410", "415", "440", "484",
    "503", "512", "567", "570", "602", "610", "615", "702", "720", "724", "740", "801", "910", "937", "984",
)  # fmt: skip

FIRST_NAMES = (
    "Aaliyah", "Aaron", "Abdul", "Adriana", "Aiden", "Aisha", "Alejandro", "Alicia", "Amara", "Amir", "Ana",
    "Andre", "Angela", "Anthony", "Arjun", "Ashley", "Beatriz", "Benjamin", "Bianca", "Brandon", "Brianna",
    "Caleb", "Camila", "Carlos", "Carmen", "Catherine", "Chen", "Chloe", "Christopher", "Claire", "Connor",
    "Daniel", "Danielle", "Darius", "David", "Deja", "Deshawn", "Diana", "Diego", "Dmitri", "Eduardo", "Elena",
    "Elijah", "Elizabeth", "Emily", "Emma", "Eric", "Esperanza", "Ethan", "Fatima", "Felipe", "Fiona",
    "Gabriel", "Gabriela", "Grace", "Hannah", "Hassan", "Hector", "Imani", "Isaac", "Isabella", "Jacob",
    "Jada", "Jamal", "James", "Jasmine", "Javier", "Jennifer", "Jessica", "Jin", "Jonathan", "Jordan",
    "Jose", "Joseph", "Joshua", "Juan", "Julia", "Kaitlyn", "Kareem", "Katherine", "Kayla", "Kenji",
    "Kevin", "Keisha", "Lakshmi", "Laura", "Leah", "Leon", "Liam", "Lucia", "Luis", "Madison", "Malik",
    "Marcus", "Maria", "Mariam", "Mark", "Maya", "Megan", "Mei", "Michael", "Miguel", "Mohammed", "Monique",
    "Nadia", "Natalie", "Nathan", "Nia", "Noah", "Olivia", "Omar", "Patrick", "Priya", "Rachel", "Rafael",
    "Rebecca", "Ricardo", "Robert", "Rosa", "Ryan", "Samantha", "Samuel", "Sara", "Sean", "Sofia", "Stephanie",
    "Tamika", "Terrence", "Thomas", "Tiana", "Tyler", "Valentina", "Vanessa", "Victor", "Wei", "William",
    "Xavier", "Yasmin", "Yusuf", "Zachary", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Abbott", "Adeyemi", "Aguilar", "Ahmed", "Alvarez", "Anderson", "Bailey", "Baker", "Banerjee", "Barnes",
    "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Chang",
    "Chavez", "Chen", "Clark", "Coleman", "Collins", "Cooper", "Cruz", "Davis", "Delgado", "Diaz", "Dubois",
    "Edwards", "Evans", "Fernandez", "Fischer", "Flores", "Foster", "Garcia", "Gomez", "Gonzalez", "Gordon",
    "Graham", "Gray", "Green", "Greenberg", "Griffin", "Gutierrez", "Hall", "Hamilton", "Harris", "Hayes",
    "Henderson", "Hernandez", "Hill", "Hoang", "Howard", "Hughes", "Ibrahim", "Jackson", "James", "Jenkins",
    "Jimenez", "Johnson", "Jones", "Kaplan", "Kelly", "Khan", "Kim", "King", "Kowalski", "Kumar", "Lee",
    "Lewis", "Lin", "Long", "Lopez", "Martin", "Martinez", "Mendoza", "Meyer", "Miller", "Mitchell", "Moore",
    "Morales", "Morgan", "Morris", "Murphy", "Murray", "Nguyen", "Novak", "Nwosu", "Okafor", "Oliveira",
    "Olson", "Ortiz", "Park", "Patel", "Perez", "Perry", "Peterson", "Phillips", "Powell", "Price", "Quinn",
    "Ramirez", "Ramos", "Reed", "Reyes", "Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers",
    "Ross", "Russell", "Sanchez", "Sanders", "Schmidt", "Scott", "Shah", "Silva", "Simmons", "Singh", "Smith",
    "Stewart", "Sullivan", "Tanaka", "Taylor", "Thomas", "Thompson", "Torres", "Tran", "Turner", "Vasquez",
    "Walker", "Wallace", "Ward", "Washington", "Watson", "White", "Williams", "Wilson", "Wood", "Wright",
    "Wu", "Yang", "Young", "Zhang",
)  # fmt: skip

STREETS = (
    "Main St", "Oak Ave", "Maple St", "Elm St", "Washington Ave", "Park Pl", "Broad St", "Union St",
    "Chestnut St", "Walnut St", "Highland Ave", "Church St", "Pleasant St", "Franklin St", "Liberty Ave",
    "Hope St", "Prospect St", "Center St", "Spring St", "Lincoln Ave", "Market St", "River Rd", "Mill St",
    "Jefferson St", "Locust St", "Grove St", "Summit Ave", "Water St", "Cedar Ln", "King St",
)  # fmt: skip
BERLIN_STREETS = ("Torstraße", "Kastanienallee", "Oranienstraße", "Sonnenallee", "Bergmannstraße", "Boxhagener Str.")

TAGS = (
    ("canvasser", 18), ("phone banker", 10), ("host", 4), ("potential candidate", 3), ("union member", 12),
    ("student", 9), ("Medicare for All", 20), ("climate", 16), ("$15 minimum wage", 8), ("donor", 7),
    ("Spanish speaker", 6),
)  # fmt: skip
IMPORT_SOURCES = ("imported: 2024 petition", "imported: rally sign-in sheet", "imported: partner list")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str
    chapter_slug: str = ""
    state: str = ""
    organization: str = ""

    @property
    def where(self) -> str:
        return self.chapter_slug or self.state or self.organization


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.NATIONAL_STAFF, "staff@example.org", "Nadia Nakamura"),
    DemoLogin(Role.STATE_COORDINATOR, "coordinator@example.org", "Ramon Ruiz", state="RI"),
    DemoLogin(Role.CHAPTER_LEADER, "leader@example.org", "Priya Desai", chapter_slug="providence"),
    DemoLogin(Role.VOLUNTEER, "volunteer@example.org", "Val Okonkwo", chapter_slug="providence"),
    DemoLogin(Role.CANDIDATE, "candidate@example.org", "Cam Brennan"),
    DemoLogin(Role.PARTNER_LIAISON, "partner@example.org", "Parker Lindqvist", organization="Sunrise Allies"),
    # The demo's voter file is North Carolina's: a leader and a volunteer there to target and canvass it.
    DemoLogin(Role.CHAPTER_LEADER, "leader.nc@example.org", "Dana Whitfield", chapter_slug="raleigh"),
    DemoLogin(Role.VOLUNTEER, "volunteer.nc@example.org", "Luis Ortega", chapter_slug="raleigh"),
)


@dataclass
class DemoPerson:
    first_name: str
    last_name: str
    emails: list[str]
    phone: str
    address_line1: str
    city: str
    state: str
    zip_code: str
    country: str
    birth_year: int
    source: str
    email_opt_in: bool
    sms_opt_in: bool
    # (chapter index into CHAPTERS, days before today the person joined it)
    memberships: list[tuple[int, int]]
    tags: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # index of the person this record is a second entry of


@dataclass
class DemoPlan:
    seed: int
    people: list[DemoPerson]

    @property
    def duplicate_pairs(self) -> int:
        return sum(1 for p in self.people if p.duplicate_of is not None)


def _valid_fictional(area_code: str, line: int) -> str:
    number = f"+1{area_code}55501{line:02d}"
    assert phonenumbers.is_valid_number(phonenumbers.parse(number)), number
    return number


class _PhonePool:
    """Hands out each 555-01xx number once, preferring the person's own area code."""

    def __init__(self, rng: random.Random) -> None:
        self.free: dict[str, list[int]] = {}
        for code in [*{c for ch in CHAPTERS for c in ch.area_codes}, *SPARE_AREA_CODES]:
            lines = list(range(100))
            rng.shuffle(lines)
            self.free[code] = lines
        self.spare_order = sorted(self.free)

    def take(self, area_codes: tuple[str, ...]) -> str:
        for code in [*area_codes, *self.spare_order]:
            if self.free[code]:
                return _valid_fictional(code, self.free[code].pop())
        return ""


def _join_days_ago(rng: random.Random, founded_days_ago: int) -> int:
    """Joins lean recent (the movement grows), with a bump around the November 2024 election."""
    span = max(founded_days_ago, 30)
    election = (timezone.localdate() - dt.date(2024, 10, 15)).days
    if 0 < election < span and rng.random() < 0.12:
        return max(0, election - rng.randint(0, 40))
    return min(span, int(span * (1 - rng.random() ** 0.7)))


def _email_for(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    f, last_ascii = first.lower(), last.lower().replace("'", "")
    patterns = (f"{f}.{last_ascii}", f"{f}{last_ascii}", f"{f[0]}{last_ascii}", f"{f}_{last_ascii}")
    for attempt in range(50):
        local = patterns[rng.randrange(len(patterns))] + (
            str(rng.randint(2, 99)) if attempt or rng.random() < 0.3 else ""
        )
        address = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        if address not in taken:
            taken.add(address)
            return address
    raise RuntimeError(f"no free email address for {first} {last}")


def _typo(rng: random.Random, name: str) -> str:
    """The same name as a hurried volunteer might type it: two letters swapped or one dropped."""
    i = rng.randrange(1, len(name) - 1)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def _tags(rng: random.Random) -> list[str]:
    return [name for name, percent in TAGS if rng.randrange(100) < percent]


def _plan_person(
    rng: random.Random, chapter_index: int, names: set[tuple[str, str]], emails: set[str], phones: _PhonePool
) -> DemoPerson:
    chapter = CHAPTERS[chapter_index]
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if (first, last) not in names:
            names.add((first, last))
            break
    abroad = chapter.country != "US"
    street = rng.choice(BERLIN_STREETS if abroad else STREETS)
    address = f"{street} {rng.randint(1, 180)}" if abroad else f"{rng.randint(1, 2999)} {street}"
    phone = phones.take(chapter.area_codes) if not abroad and rng.random() < 0.8 else ""
    days_founded = chapter.founded_months_ago * 30
    memberships = [(chapter_index, _join_days_ago(rng, days_founded))]
    if not abroad and rng.random() < 0.06:  # a few belong to a second chapter of their state
        others = [i for i, c in enumerate(CHAPTERS) if c.state == chapter.state and i != chapter_index]
        if others:
            second = rng.choice(others)
            memberships.append((second, _join_days_ago(rng, CHAPTERS[second].founded_months_ago * 30)))
    from_form = rng.random() < 0.65
    return DemoPerson(
        first_name=first, last_name=last, emails=[_email_for(rng, first, last, emails)], phone=phone,
        address_line1=address, city=chapter.city, state=chapter.state, zip_code=rng.choice(chapter.zips),
        country=chapter.country, birth_year=rng.randint(1948, 2006),
        source=f"join form on {chapter.name}" if from_form else rng.choice(IMPORT_SOURCES),
        email_opt_in=rng.random() < 0.72, sms_opt_in=bool(phone) and rng.random() < 0.4,
        memberships=memberships, tags=_tags(rng),
    )  # fmt: skip


def _plan_duplicate(rng: random.Random, original: DemoPerson, index: int, emails: set[str]) -> DemoPerson:
    """The same human entered again: a typo in a name or just a second email, same home."""
    first, last = original.first_name, original.last_name
    if rng.random() < 0.6:
        if rng.random() < 0.5:
            first = _typo(rng, first)
        else:
            last = _typo(rng, last)
    chapter_index = original.memberships[0][0]
    return DemoPerson(
        first_name=first, last_name=last, emails=[_email_for(rng, original.first_name, original.last_name, emails)],
        phone="", address_line1=original.address_line1, city=original.city, state=original.state,
        zip_code=original.zip_code, country=original.country, birth_year=original.birth_year,
        source=rng.choice(IMPORT_SOURCES), email_opt_in=rng.random() < 0.5, sms_opt_in=False,
        memberships=[(chapter_index, rng.randint(0, original.memberships[0][1]))], duplicate_of=index,
    )  # fmt: skip


def plan_demo(seed: int = DEFAULT_SEED, people: int = DEFAULT_PEOPLE) -> DemoPlan:
    """Decide every person of the demo from the seed alone (no database)."""
    rng = random.Random(seed)
    weights = [c.weight for c in CHAPTERS]
    names: set[tuple[str, str]] = set()
    emails: set[str] = set()
    phones = _PhonePool(rng)
    duplicates = min(DUPLICATE_PAIRS, people // 50)
    planned = [
        _plan_person(rng, rng.choices(range(len(CHAPTERS)), weights)[0], names, emails, phones)
        for _ in range(people - duplicates)
    ]
    us_people = [i for i, p in enumerate(planned) if p.country == "US"]
    for index in rng.sample(us_people, duplicates):
        planned.append(_plan_duplicate(rng, planned[index], index, emails))
    return DemoPlan(seed=seed, people=planned)


@dataclass(frozen=True)
class DemoSummary:
    chapters: int
    people: int
    memberships: int
    duplicate_pairs: int
    logins: int


def database_is_empty() -> bool:
    return not (Chapter.objects.exists() or User.objects.exists() or Person.objects.exists())


def _create_chapters(today: dt.date) -> list[Chapter]:
    chapters = []
    for spec in CHAPTERS:
        areas = [(AreaKind.ZIP.value, z) for z in spec.zips] if spec.country == "US" else []
        if spec.county:
            areas.append((AreaKind.COUNTY.value, spec.county))
        areas.append((AreaKind.CITY.value, spec.city))
        chapter = do_create_chapter(
            name=spec.name, slug=spec.slug, state=spec.state, country=spec.country, status=spec.status,
            description=f"Neighbours in {spec.city} organizing to win local races and party offices.",
            contact_email=f"{spec.slug}@example.org", areas=areas, actor=None,
        )  # fmt: skip
        founded = today - dt.timedelta(days=spec.founded_months_ago * 30)
        Chapter.objects.filter(pk=chapter.pk).update(founded_on=founded)
        chapters.append(chapter)
    return chapters


def _create_logins(chapters_by_slug: dict[str, Chapter]) -> None:
    for login in DEMO_LOGINS:
        first, _, last = login.name.partition(" ")
        user = do_create_user(email=login.email, password=DEMO_PASSWORD, first_name=first, last_name=last, actor=None)
        do_grant_role(
            user, login.role, state=login.state, chapter=chapters_by_slug.get(login.chapter_slug),
            organization=login.organization, actor=None,
        )  # fmt: skip


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _via_of(source: str) -> str:
    return Via.PUBLIC_FORM if source.startswith("join form") else Via.IMPORT


def _insert_people(plan: DemoPlan, chapters: list[Chapter], today: dt.date) -> int:
    """Every planned person with their facts, each owned by the chapter it came in through: a person
    in two chapters gave each of them their details (the second sometimes a second address)."""
    rng = random.Random(plan.seed + 1)  # times of day; separate from the plan so the plan stays comparable
    owners = {chapter.pk: chapter_owner(chapter) for chapter in chapters}
    people = Person.objects.bulk_create(
        [
            Person(
                first_name=p.first_name, last_name=p.last_name, sort_name=sort_name_for(p.first_name, p.last_name),
                address_line1=p.address_line1, city=p.city, state=p.state, zip_code=p.zip_code, country=p.country,
                birth_year=p.birth_year, source=p.source,
            )
            for p in plan.people
        ],
        batch_size=500,
    )  # fmt: skip
    rows = _DemoRows()
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name, _ in TAGS}
    for person, p in zip(people, plan.people, strict=True):
        for index, (chapter_index, days_ago) in enumerate(p.memberships):
            chapter = chapters[chapter_index]
            joined = today - dt.timedelta(days=days_ago)
            at = _at(joined, rng)
            source = p.source if index == 0 else f"join form on {chapter.name}"
            fact = {"owner": owners[chapter.pk], "via": _via_of(source), "source": source, "recorded_at": at}
            rows.add(person, p, chapter, joined, fact, first=index == 0, tags=tags)
    rows.save()
    rebuild_views([person.pk for person in people])
    return len(rows.memberships)


@dataclass
class _DemoRows:
    details: list[DetailFact] = field(default_factory=list)
    emails: list[EmailAddress] = field(default_factory=list)
    phones: list[PhoneNumber] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    consents: list[ConsentEvent] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    person_tags: list[PersonTag] = field(default_factory=list)

    def add(
        self, person: Person, p: DemoPerson, chapter: Chapter, joined: dt.date, fact: dict[str, Any], *,
        first: bool, tags: dict[str, Tag],
    ) -> None:  # fmt: skip
        values = facts.given_values(
            first_name=p.first_name, last_name=p.last_name, address_line1=p.address_line1, city=p.city,
            state=p.state, zip_code=p.zip_code, birth_year=p.birth_year,
        )  # fmt: skip
        self.details.append(DetailFact(
            person=person, values=values, accepted_at=fact["recorded_at"] if first else None,
            accepted_how=Acceptance.CREATED if first else "", **fact,
        ))  # fmt: skip
        self.emails += [
            EmailAddress(person=person, address=a, is_primary=i == 0, **fact) for i, a in enumerate(p.emails)
        ]
        if p.phone:
            # bulk_create skips PhoneNumber.save, which fills the reversed digits the phone search uses.
            self.phones.append(PhoneNumber(person=person, number=p.phone, digits_reversed=reversed_digits(p.phone),
                                           kind=PhoneKind.MOBILE, is_primary=True, **fact))  # fmt: skip
        self.memberships.append(Membership(person=person, chapter=chapter, joined_on=joined, source=fact["source"],
                                           via=fact["via"]))  # fmt: skip
        self.timeline.append(TimelineEntry(person=person, kind=TimelineKind.JOINED, occurred_at=fact["recorded_at"],
                                           owner=fact["owner"], summary=f"Joined {chapter.name}"))  # fmt: skip
        phones = [p.phone] if p.phone else []
        for channel, granted, values_given in (
            (ConsentChannel.EMAIL, p.email_opt_in, p.emails), (ConsentChannel.SMS, p.sms_opt_in, phones),
        ):  # fmt: skip
            self.consents += [
                ConsentEvent(person=person, channel=channel, value=v, granted=True, method=fact["source"],
                             occurred_at=fact["recorded_at"], **fact)
                for v in values_given if granted
            ]  # fmt: skip
        if first:
            self.person_tags += [PersonTag(person=person, tag=tags[name], **fact) for name in p.tags]

    def save(self) -> None:
        DetailFact.objects.bulk_create(self.details, batch_size=1000)
        EmailAddress.objects.bulk_create(self.emails, batch_size=1000)
        PhoneNumber.objects.bulk_create(self.phones, batch_size=1000)
        Membership.objects.bulk_create(self.memberships, batch_size=1000)
        ConsentEvent.objects.bulk_create(self.consents, batch_size=1000)
        TimelineEntry.objects.bulk_create(self.timeline, batch_size=1000)
        PersonTag.objects.bulk_create(self.person_tags, batch_size=1000)


def load_demo(plan: DemoPlan) -> DemoSummary:
    """Write the plan into an empty database, all or nothing."""
    today = timezone.localdate()
    with transaction.atomic():
        chapters = _create_chapters(today)
        _create_logins({c.slug: c for c in chapters})
        memberships = _insert_people(plan, chapters, today)
        # The demo's planted duplicates are on the duplicates page once the worker has scored everyone.
        do_queue_duplicate_refresh(actor=None, full=True)
    return DemoSummary(
        chapters=len(chapters), people=len(plan.people), memberships=memberships,
        duplicate_pairs=plan.duplicate_pairs, logins=len(DEMO_LOGINS),
    )  # fmt: skip


def build_demo(seed: int = DEFAULT_SEED, people: int = DEFAULT_PEOPLE) -> DemoSummary:
    return load_demo(plan_demo(seed, people))
