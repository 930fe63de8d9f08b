"""The privacy rule as a property (docs/privacy.md): data flows up, never sideways.

Hypothesis makes random organizations — two states with one or two chapters each, a chapter abroad
sometimes, a coordinator per state, a leader per chapter (sometimes one leading two), national staff,
a volunteer — and random sequences of writes through the product's own doors: join and "I want to
run" forms, CSV imports, the API's signup helper (with custom fields), PUT (merging, and clearing with
null), DELETE, tags and taggings, edits, tags, notes and consent on the
person page, canvass syncs, merges and unmerges, confirmations and national's acceptances. Every
value written carries a marker unique to the write (a name "fn7x", a tag "tg7x"); email addresses and
phone numbers come from small pools, so that writes collide on them as real ones do.

After each sequence, for every role:

- it reads everything the role can read — its home page, the people list and every search of the
  pools, every person page and edit page in sight, the export, the duplicates and merge pages, its
  chapters' members, the recruits, its own imports' previews, and the API's people, person, taggings
  and tags — and no marker of a fact that does not reach the role appears in any answer;
- each write changed no fact outside its writer's scope, nor the view of an owner its facts do not
  reach, nor (unless national or the person wrote it) national's record;
- every stored view equals a fold of its facts;
- an import's preview, and the API signup helper's answer, are the same as they would be in a world
  where nothing the writer cannot see existed.

CI runs it with a fixed seed (derandomize) and PRIVACY_EXAMPLES examples (100 unless set: each example now
also writes and reads through both API faces, so it costs several seconds).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.api.actions import do_create_api_token
from groundswell.chapters.access import scope_for
from groundswell.chapters.actions import do_create_chapter, do_grant_role
from groundswell.chapters.models import AreaKind, Chapter, ChapterStatus, Owner, Role, RoleGrant
from groundswell.core.actions import do_create_user
from groundswell.core.models import User
from groundswell.people import facts
from groundswell.people.confirmation import Confirmation, token_for
from groundswell.people.importing import do_import_people, do_upload_people_file, preview_import
from groundswell.people.models import (
    ConsentEvent,
    CustomField,
    DetailFact,
    EmailAddress,
    ImportBatch,
    Membership,
    MembershipStatus,
    MergeRecord,
    Person,
    PersonNote,
    PersonTag,
    PersonView,
    PhoneNumber,
    TagListing,
    TimelineEntry,
)
from groundswell.people.normalize import format_phone

EXAMPLES = int(os.environ.get("PRIVACY_EXAMPLES", "100"))
EMAILS = [f"pool{i}@mark.test" for i in range(5)]
PHONES = ["+14125550101", "+14125550102", "+14015550103", "+14015550104"]
MARKER = re.compile(r"\b[a-z]{2}\d+x\b")
FACT_MODELS = (EmailAddress, PhoneNumber, PersonTag, PersonNote, DetailFact, ConsentEvent, TimelineEntry, CustomField)
STATES = {"PA": ("15213", "Allegheny"), "RI": ("02903", "Providence")}


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """These tests send many requests a second with one token; the limit has tests of its own."""
    settings.API_RATE_LIMIT = 0


# ---- the organization ---------------------------------------------------------------------------


@dataclass
class World:
    chapters: list[Chapter]
    staff: User
    coordinators: list[User]
    leaders: list[User]  # one per chapter, in order; a leader of two is listed once per chapter
    volunteer: User
    tokens: dict[int, str] = field(default_factory=dict)
    next_marker: int = 0
    writes: int = 0

    def marker(self, kind: str) -> str:
        self.next_marker += 1
        return f"{kind}{self.next_marker}x"

    @property
    def roles(self) -> list[User]:
        return list({u.pk: u for u in [*self.coordinators, *self.leaders, self.volunteer]}.values())

    @property
    def writers(self) -> list[User]:
        return list({u.pk: u for u in [self.staff, *self.coordinators, *self.leaders]}.values())

    def token(self, user: User) -> str:
        if user.pk not in self.tokens:
            self.tokens[user.pk] = do_create_api_token(user=user, name="invariant", actor=None)[1]
        return self.tokens[user.pk]


def _user(label: str) -> User:
    return do_create_user(email=f"{label}@mark.test", password="x-long-password-9", first_name=label, actor=None)


def build_world(shape: dict[str, Any]) -> World:
    chapters = []
    for state, count in (("PA", shape["pa"]), ("RI", shape["ri"])):
        zip_code, county = STATES[state]
        for i in range(count):
            chapters.append(do_create_chapter(
                name=f"{state} chapter {i}", slug=f"{state.lower()}-{i}", state=state, status=ChapterStatus.ACTIVE,
                areas=[(AreaKind.ZIP, zip_code), (AreaKind.COUNTY, county)], actor=None,
            ))  # fmt: skip
    if shape["abroad"]:
        chapters.append(do_create_chapter(
            name="Abroad chapter", slug="abroad", country="DE", status=ChapterStatus.ACTIVE, actor=None,
        ))  # fmt: skip
    staff = _user("staff")
    do_grant_role(staff, Role.NATIONAL_STAFF, actor=None)
    coordinators = []
    for state in ("PA", "RI"):
        coordinator = _user(f"coord-{state.lower()}")
        do_grant_role(coordinator, Role.STATE_COORDINATOR, state=state, actor=None)
        coordinators.append(coordinator)
    leaders = []
    for chapter in chapters:
        leader = _user(f"lead-{chapter.slug}")
        do_grant_role(leader, Role.CHAPTER_LEADER, chapter=chapter, actor=None)
        leaders.append(leader)
    if shape["double"] and len(chapters) >= 2:
        # One leader of two chapters in different states: a scope with two view owners.
        do_grant_role(leaders[0], Role.CHAPTER_LEADER, chapter=chapters[-1], actor=None)
        leaders[-1] = leaders[0]
    volunteer = _user("volunteer")
    do_grant_role(volunteer, Role.VOLUNTEER, chapter=chapters[0], actor=None)
    world = World(chapters, staff, coordinators, leaders, volunteer)
    for user in [*world.writers, volunteer]:  # made now, outside the savepoints the checks roll back
        world.token(user)
    return world


# ---- the writes ---------------------------------------------------------------------------------


def client_of(user: User | None) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def visible_people(user: User) -> list[Person]:
    from groundswell.people.selectors import people_visible_to

    return list(people_visible_to(user).order_by("pk"))


def pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


@dataclass
class Write:
    """One write as drawn: its kind and the indices that choose who, whom and what."""

    kind: str
    a: int
    b: int
    c: int
    flag: bool

    def run(self, world: World) -> tuple[User | None, Chapter | None]:
        """Do it. Returns the writer (None for the public) and the chapter a public form belongs to."""
        done: tuple[User | None, Chapter | None] = getattr(self, f"_{self.kind}")(world)
        return done

    def _chapter(self, world: World) -> Chapter:
        return world.chapters[self.a % len(world.chapters)]

    def _actor(self, world: World) -> User:
        return world.writers[self.a % len(world.writers)]

    def _join(self, world: World) -> tuple[User | None, Chapter | None]:
        chapter = self._chapter(world)
        phone = pick(PHONES, self.c) if self.flag else ""
        data = {"first_name": world.marker("fn"), "last_name": world.marker("ln"), "email": pick(EMAILS, self.b),
                "phone": phone, "zip_code": "15213" if chapter.state == "PA" else "02903",
                "email_consent": "on", **({"sms_consent": "on"} if phone else {})}  # fmt: skip
        assert client_of(None).post(f"/chapters/{chapter.slug}/join/", data).status_code == 302
        return None, chapter

    def _run_form(self, world: World) -> tuple[User | None, Chapter | None]:
        chapter = self._chapter(world)
        data = {"first_name": world.marker("fn"), "last_name": world.marker("ln"), "email": pick(EMAILS, self.b),
                "zip_code": "15213", "office_type": "public", "why": world.marker("wy")}  # fmt: skip
        assert client_of(None).post(f"/recruitment/run/{chapter.slug}/", data).status_code == 302
        return None, chapter

    def _import(self, world: World) -> tuple[User | None, Chapter | None]:
        chapter = self._chapter(world)
        leader = world.leaders[world.chapters.index(chapter)]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["First Name", "Last Name", "Email", "Phone", "Address", "Tags", "Notes", "Email Opt-in"])
        for row in range(1 + self.c % 3):
            writer.writerow([
                world.marker("fn"), world.marker("ln"), pick(EMAILS, self.b + row * 2) if (self.b + row) % 4 else "",
                pick(PHONES, self.c + row) if row % 2 == 0 else "", f"{row + 1} {world.marker('st')} St",
                world.marker("tg"), world.marker("nt"), "yes" if self.flag else "",
            ])  # fmt: skip
        path = world_dir() / f"import-{world.writes}.csv"
        path.write_text(out.getvalue())
        batch = do_upload_people_file(path, chapter=chapter, actor=leader)
        check_preview_tells_nothing(batch)
        do_import_people(batch, actor=leader)
        return leader, chapter

    def _api_signup(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        scope = scope_for(actor)
        chapter = None if scope.national else pick(
            list(Chapter.objects.filter(scope.chapters_q()).order_by("pk")), self.c
        )  # fmt: skip
        body: dict[str, Any] = {
            "person": {"given_name": world.marker("fn"), "email_addresses": [{"address": pick(EMAILS, self.b)}]},
            "add_tags": [world.marker("tg")],
        }
        body["person"]["custom_fields"] = {world.marker("cn"): world.marker("cv")}
        if self.flag:
            body["person"]["phone_numbers"] = [{"number": pick(PHONES, self.c)}]
        if chapter is not None:
            body["groundswell:chapter"] = chapter.slug
        check_signup_tells_nothing(world, actor, body)
        response = api_call(world, actor, "POST", "/api/v1/people/signup", body)
        assert response.status_code == 200, response.content
        return actor, chapter

    def _api_put(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is None:
            return actor, None
        body: dict[str, Any] = {"family_name": world.marker("ln")}
        if self.flag:
            body["email_addresses"] = [{"address": pick(EMAILS, self.b)}]
        response = api_call(world, actor, "PUT", f"/api/v1/people/{person.uid}", body)
        assert response.status_code in (200, 400), response.content
        return actor, None

    def _api_custom(self, world: World) -> tuple[User | None, Chapter | None]:
        """A PUT of custom fields only (osdi's update()), or one clearing a name and a custom field."""
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is None:
            return actor, None
        url = f"/api/v1/people/{person.uid}"
        if self.flag:
            read = api_call(world, actor, "GET", url).json()
            body: dict[str, Any] = {"given_name": None, "custom_fields": dict.fromkeys(read["custom_fields"])}
        else:
            body = {"custom_fields": {world.marker("cn"): world.marker("cv")}}
        response = api_call(world, actor, "PUT", url, body)
        assert response.status_code == 200, response.content
        return actor, None

    def _api_delete(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is not None:
            response = api_call(world, actor, "DELETE", f"/api/v1/people/{person.uid}")
            assert response.status_code == (409 if scope_for(actor).national else 200), response.content
            if response.status_code == 200:
                assert person not in visible_people(actor)
        return actor, None

    def _api_tag(self, world: World) -> tuple[User | None, Chapter | None]:
        """POST /tags (a new name, or one the writer already sees), then tag someone in sight with it."""
        actor = self._actor(world)
        listed = api_call(world, actor, "GET", "/api/v1/tags?per_page=100").json()["_embedded"]["osdi:tags"]
        name = pick([t["name"] for t in listed], self.b) if self.flag and listed else world.marker("tg")
        created = api_call(world, actor, "POST", "/api/v1/tags", {"name": name})
        assert created.status_code == 200, created.content
        person = pick(visible_people(actor), self.c)
        if person is not None:
            link = {"_links": {"osdi:person": {"href": f"http://testserver/api/v1/people/{person.uid}"}}}
            tag_path = "/api/v1/tags/" + created.json()["_links"]["self"]["href"].rsplit("/", 1)[-1]
            response = api_call(world, actor, "POST", f"{tag_path}/taggings", link)
            assert response.status_code == 200, response.content
        return actor, None

    def _api_untag(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is not None:
            taggings = api_call(world, actor, "GET", f"/api/v1/people/{person.uid}/taggings").json()
            tagging = pick(taggings["_embedded"]["osdi:taggings"], self.b)
            if tagging is not None:
                path = "/api/" + tagging["_links"]["self"]["href"].split("/api/", 1)[1]
                assert api_call(world, actor, "DELETE", path).status_code == 200
        return actor, None

    def _edit(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is not None:
            form = {"first_name": world.marker("fn"), "last_name": world.marker("ln"), "notes": world.marker("nt"),
                    "address_line1": f"{self.b} {world.marker('st')} St"}  # fmt: skip
            assert client_of(actor).post(f"/people/{person.uid}/edit/", form).status_code == 302
        return actor, None

    def _tag(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is not None:
            client_of(actor).post(f"/people/{person.uid}/tags/", {"tag": world.marker("tg")})
        return actor, None

    def _consent(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = self._actor(world)
        person = pick(visible_people(actor), self.c)
        if person is not None:
            data = {"channel": "email" if self.b % 2 else "sms", "granted": "yes" if self.flag else "no",
                    "method": "by phone"}  # fmt: skip
            client_of(actor).post(f"/people/{person.uid}/consent/", data)
        return actor, None

    def _merge(self, world: World) -> tuple[User | None, Chapter | None]:
        actor = world.staff if self.flag else self._actor(world)
        people = visible_people(actor)
        first, second = pick(people, self.b), pick(people, self.c)
        if first is not None and second is not None and first != second:
            low, high = sorted((first, second), key=lambda p: p.pk)
            client_of(actor).post(f"/people/duplicates/{low.uid}/{high.uid}/", {"choice_first_name": "other"})
        return actor, None

    def _unmerge(self, world: World) -> tuple[User | None, Chapter | None]:
        record = pick(list(MergeRecord.objects.filter(undone_at__isnull=True).order_by("pk")), self.b)
        if record is not None:
            client_of(world.staff).post(f"/people/{record.survivor.uid}/merges/{record.pk}/undo/")
        return world.staff, None

    def _confirm(self, world: World) -> tuple[User | None, Chapter | None]:
        waiting = list(DetailFact.objects.filter(accepted_at__isnull=True, via="form").order_by("pk"))
        fact = pick(waiting, self.b)
        if fact is not None and fact.person.merged_into_id is None:
            pending = ConsentEvent.objects.filter(person=fact.person, pending=True).values_list("pk", flat=True)
            token = token_for(Confirmation.of(fact.person, fact, list(pending)))
            share = {"share": "yes"} if self.flag else {}
            assert client_of(None).post(f"/people/confirm/{token}/", share).status_code == 200
        return None, None  # the person themself: their own confirmation may change national's record

    def _accept(self, world: World) -> tuple[User | None, Chapter | None]:
        fact = pick(list(DetailFact.objects.filter(accepted_at__isnull=True).order_by("pk")), self.b)
        if fact is not None and fact.person.merged_into_id is None:
            client_of(world.staff).post(f"/people/{fact.person.uid}/details/{fact.pk}/accept/")
        return world.staff, None

    def _sync(self, world: World) -> tuple[User | None, Chapter | None]:
        """The volunteer syncs a result for someone: a member on their call list, or anyone at all."""
        from groundswell.field.actions import do_assign, do_make_call_list, do_save_campaign

        chapter = world.chapters[0]
        leader = world.leaders[0]
        campaign = do_save_campaign(name="Calls", state=chapter.state or "PA", chapter=chapter, actor=leader)
        calls = do_make_call_list(campaign, name="Members", kind="members", actor=leader)
        expires = calls.created_at + dt.timedelta(days=3)
        do_assign(world.volunteer, expires_at=expires, call_list=calls, actor=leader)
        on_list = [e["person_id"] for e in calls.entries]
        everyone = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        person_id = pick(on_list if self.flag else everyone, self.c)
        if person_id is None:
            return leader, None
        item = {"uuid": f"00000000-0000-4000-8000-{world.writes:012d}", "call_list": calls.pk, "method": "phone",
                "result": "contacted", "do_not_contact": True, "person_id": person_id}  # fmt: skip
        response = client_of(world.volunteer).post(
            "/field/contacts/sync/", json.dumps({"contacts": [item]}), content_type="application/json"
        )
        assert (person_id in on_list) == (item["uuid"] in response.json().get("receipts", {}))
        return world.volunteer, None


def api_call(world: World, user: User, method: str, path: str, body: Any = None) -> Any:
    client = Client()
    senders: dict[str, Callable[..., Any]] = {
        "GET": client.get, "POST": client.post, "PUT": client.put, "DELETE": client.delete,
    }  # fmt: skip
    send = senders[method]
    headers = {"OSDI-API-Token": world.token(user)}
    if body is None:
        return send(path, headers=headers)
    return send(path, json.dumps(body), content_type="application/json", headers=headers)


_DIR: list[Any] = []


def world_dir() -> Any:
    return _DIR[0]


WRITES = st.builds(
    Write,
    kind=st.sampled_from(
        [
            "join",
            "join",
            "run_form",
            "import",
            "import",
            "api_signup",
            "api_signup",
            "api_put",
            "api_custom",
            "api_delete",
            "api_tag",
            "api_untag",
            "edit",
            "tag",
            "consent",
            "merge",
            "unmerge",
            "confirm",
            "accept",
            "sync",
        ]
    ),
    a=st.integers(0, 6),
    b=st.integers(0, 9),
    c=st.integers(0, 9),
    flag=st.booleans(),
)
SHAPES = st.fixed_dictionaries(
    {"pa": st.integers(1, 2), "ri": st.integers(1, 2), "abroad": st.booleans(), "double": st.booleans()}
)


# ---- what reaches whom ----------------------------------------------------------------------------


def owners_reached(user: User) -> set[int] | None:
    """The owners whose facts the user's roles may see, worked out here from the role grants and the
    owners' own rows — not from the Scope under test — so that a broken scope cannot excuse itself.
    None: national staff, who see every fact."""
    reached: set[int] = set()
    for role, state, chapter_id in RoleGrant.objects.filter(user=user, revoked_at__isnull=True).values_list(
        "role", "state", "chapter_id"
    ):
        if role == Role.NATIONAL_STAFF:
            return None
        if role == Role.CHAPTER_LEADER:
            reached |= set(Owner.objects.filter(chapter_id=chapter_id).values_list("pk", flat=True))
        if role == Role.STATE_COORDINATOR:
            reached |= set(Owner.objects.filter(state=state).exclude(kind="national").values_list("pk", flat=True))
    return reached


def member_chapters(user: User) -> set[int]:
    """The chapters whose members' shared details reach the user: the chapters of the owners reached."""
    reached = owners_reached(user)
    owners = Owner.objects.all() if reached is None else Owner.objects.filter(pk__in=reached)
    return set(owners.filter(kind="chapter").values_list("chapter_id", flat=True))


def markers_of(text: str) -> set[str]:
    """Every marker, address and number in an answer (numbers in both forms a page may write them)."""
    found = set(MARKER.findall(text))
    found |= {e for e in EMAILS if e in text}
    found |= {p for p in PHONES if p in text or format_phone(p) in text}
    return found


def fact_markers() -> list[tuple[set[str], int, bool, int]]:
    """(markers, owner, shared, person) of every fact."""
    rows: list[tuple[set[str], int, bool, int]] = []
    for fact in DetailFact.objects.all():
        rows.append((markers_of(" ".join(str(v) for v in fact.values.values())), fact.owner_id, fact.shared,
                     fact.person_id))  # fmt: skip
    for model, column in ((EmailAddress, "address"), (PhoneNumber, "number"), (PersonNote, "text")):
        for value, owner_id, person_id in model._default_manager.values_list(column, "owner_id", "person_id"):
            rows.append((markers_of(value), owner_id, False, person_id))
    for name, owner_id, person_id in PersonTag.objects.values_list("tag__name", "owner_id", "person_id"):
        rows.append((markers_of(name), owner_id, False, person_id))
    for name, value, owner_id, person_id in CustomField.objects.values_list("name", "value", "owner_id", "person_id"):
        rows.append((markers_of(f"{name} {value or ''}"), owner_id, False, person_id))
    for name, owner_id in TagListing.objects.values_list("tag__name", "owner_id"):
        rows.append((markers_of(name), owner_id, False, 0))
    from groundswell.recruitment.models import Recruit

    for notes, chapter_id, person_id in Recruit.objects.values_list("notes", "chapter_id", "person_id"):
        owner = Owner.objects.filter(chapter_id=chapter_id).values_list("pk", flat=True).first()
        if owner is not None:
            rows.append((markers_of(notes), owner, False, person_id))
    return rows


def allowed_markers(user: User, rows: list[tuple[set[str], int, bool, int]]) -> tuple[set[str], set[str]]:
    """(markers of facts that reach the user, every marker there is)."""
    reached = owners_reached(user)
    members_here = set(
        Membership.objects.filter(chapter_id__in=member_chapters(user))
        .exclude(status=MembershipStatus.LEFT)
        .values_list("person_id", flat=True)
    )
    allowed: set[str] = set()
    everything: set[str] = set()
    for markers, owner_id, shared, person_id in rows:
        everything |= markers
        if reached is None or owner_id in reached or (shared and person_id in members_here):
            allowed |= markers
    return allowed, everything


# ---- reading everything a role can read ----------------------------------------------------------


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return str(response.content.decode("utf-8", "replace"))


def everything_read_by(world: World, user: User) -> dict[str, str]:
    client = client_of(user)
    answers: dict[str, str] = {}

    def read(url: str) -> Any:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        answers[url] = body_of(response)
        return response

    read("/home/")
    listing = read("/people/")
    for query in [*EMAILS, PHONES[0][-7:], PHONES[2][-7:], "fn"]:
        found = read(f"/people/?q={query}")
        # The search box says back what was asked; it is not an answer.
        answers[f"/people/?q={query}"] = answers[f"/people/?q={query}"].replace(f'value="{query}"', "")
        if "@" in query and found.status_code == 200:
            # Whoever a search finds, the reader's own facts give the reason.
            for person in found.context["people"]:
                assert query in [e.value for e in person.emails], f"{user.email} found {person.uid} by {query}"
    people = list(listing.context["people"]) if listing.status_code == 200 and listing.context else []
    for person in people:
        read(f"/people/{person.uid}/")
    read("/people/export.csv")
    duplicates = read("/people/duplicates/")
    if duplicates.status_code == 200 and duplicates.context:
        for pair in list(duplicates.context["page"].object_list)[:3]:
            read(f"/people/duplicates/{pair.first.uid}/{pair.second.uid}/")
    for chapter in Chapter.objects.filter(scope_for(user).chapters_q()):
        read(f"/chapters/{chapter.slug}/manage/")
    read("/recruitment/")
    for batch in ImportBatch.objects.filter(created_by=user):
        read(f"/people/import/{batch.pk}/preview/")
        read(f"/people/import/{batch.pk}/")
    for path in (
        "/api/v1/people?per_page=100",
        "/api/v2/people",
        "/api/v1/tags?per_page=100",
        "/api/v1/people/tombstones?per_page=100",
    ):
        answers[path] = body_of(api_call(world, user, "GET", path))
    tags = json.loads(answers["/api/v1/tags?per_page=100"])["_embedded"]["osdi:tags"]
    for tag in tags:
        path = "/api/v1/tags/" + tag["_links"]["self"]["href"].rsplit("/", 1)[-1] + "/taggings?per_page=100"
        answers[path] = body_of(api_call(world, user, "GET", path))
    for person in people:
        for path in (f"/api/v1/people/{person.uid}", f"/api/v1/people/{person.uid}/taggings"):
            answers[path] = body_of(api_call(world, user, "GET", path))
    return answers


def people_known_to(user: User) -> set[int]:
    """The people some fact or membership that reaches the user is about (the oracle's, as above)."""
    reached = owners_reached(user)
    if reached is None:
        return set(Person.objects.values_list("pk", flat=True))
    known = set(Membership.objects.filter(chapter_id__in=member_chapters(user)).values_list("person_id", flat=True))
    for model in FACT_MODELS:
        known |= set(model._default_manager.filter(owner_id__in=reached).values_list("person_id", flat=True))
    return known


def check_nothing_reaches_sideways(world: World) -> None:
    rows = fact_markers()
    for user in world.roles:
        allowed, everything = allowed_markers(user, rows)
        forbidden = everything - allowed
        for url, text in everything_read_by(world, user).items():
            leaked = markers_of(text) & forbidden
            assert not leaked, f"{user.email} read {sorted(leaked)} at {url}"
        # Someone the user's scope knows nothing of is not there at all: the same 404 as nobody.
        strangers = Person.objects.live().exclude(pk__in=people_known_to(user))
        client = client_of(user)
        for person in strangers:
            assert client.get(f"/people/{person.uid}/").status_code == 404, f"{user.email} found {person.uid}"


# ---- writes change nothing outside their scope ----------------------------------------------------


def fact_rows() -> dict[tuple[str, int], tuple[Any, ...]]:
    rows: dict[tuple[str, int], tuple[Any, ...]] = {}
    for model in FACT_MODELS:
        for obj in model._default_manager.all():
            content = tuple(
                getattr(obj, f.attname)
                for f in model._meta.concrete_fields
                if f.name not in ("id", "person")  # a merge moves a fact to the survivor, as given
            )
            rows[(model.__name__, obj.pk)] = (obj.owner_id, obj.person_id, content)
    return rows


def view_rows() -> dict[tuple[int, int], tuple[Any, ...]]:
    fields = [f.attname for f in PersonView._meta.concrete_fields if f.name not in ("id", "updated_at", "created_at")]
    return {(v.person_id, v.owner_id): tuple(getattr(v, f) for f in fields) for v in PersonView.objects.all()}


NATIONAL_COLUMNS = ("first_name", "middle_name", "last_name", "address_line1", "city", "state", "zip_code")


def national_rows() -> dict[int, tuple[Any, ...]]:
    return {p.pk: tuple(getattr(p, c) for c in NATIONAL_COLUMNS) for p in Person.objects.all()}


def writer_scope(writer: User | None, chapter: Chapter | None) -> tuple[set[int], set[int]] | None:
    """(owners whose facts the write may touch, owners whose views it may change); None: unbounded
    (national staff, and the person's own confirmation). From the grants, not the Scope under test."""
    if writer is None and chapter is None:
        return None
    if writer is None:
        assert chapter is not None
        own = set(Owner.objects.filter(chapter=chapter).values_list("pk", flat=True))
    else:
        reached = owners_reached(writer)
        if reached is None:
            return None
        own = reached
    viewers = set(own)
    for owner in Owner.objects.filter(pk__in=own, kind="chapter"):
        viewers |= set(Owner.objects.filter(kind="state", state=owner.state).values_list("pk", flat=True))
    return own, viewers


def check_write_stays_in_scope(write: Write, writer: User | None, chapter: Chapter | None, before: Any) -> None:
    bounds = writer_scope(writer, chapter)
    if bounds is None:
        return
    own, viewers = bounds
    facts_before, views_before, national_before = before
    moving = write.kind in ("merge", "unmerge")
    after = fact_rows()
    for key, (owner_id, person_id, content) in facts_before.items():
        if owner_id in own:
            continue
        assert key in after, f"{write.kind} deleted {key}, owned outside the writer's scope"
        if not moving:
            assert after[key] == (owner_id, person_id, content), f"{write.kind} changed {key}"
        else:
            assert (after[key][0], after[key][2]) == (owner_id, content), f"{write.kind} changed {key}"
    if not moving:  # a merge rebuilds the survivor's views of every owner, each from its own facts
        views_after = view_rows()
        for (person_id, owner_id), row in views_before.items():
            if owner_id not in viewers:
                assert views_after.get((person_id, owner_id)) == row, f"{write.kind} changed a view of {owner_id}"
    national_after = national_rows()
    for pk, row in national_before.items():
        assert national_after.get(pk) == row, f"{write.kind} by a non-national writer changed national's record"


def check_views_are_folds() -> None:
    stored = view_rows()
    with transaction.atomic():
        facts.rebuild_views(Person.objects.values_list("pk", flat=True))
        rebuilt = view_rows()
        transaction.set_rollback(True)
    assert rebuilt == stored


# ---- the same answer whether or not it was known ---------------------------------------------------


def forget_everything_outside(user: User) -> None:
    """Inside a savepoint: delete every fact that does not reach the user (but the details a person
    shared with a chapter of theirs they belong to), and blank national's record."""
    reached = owners_reached(user)
    assert reached is not None
    chapters = member_chapters(user)
    members = Membership.objects.filter(chapter_id__in=chapters).exclude(status=MembershipStatus.LEFT)
    shared_here = Q(shared=True, person__in=members.values("person_id"))
    for model in FACT_MODELS:
        outside = model._default_manager.exclude(owner_id__in=reached)
        (outside.exclude(shared_here) if model is DetailFact else outside).delete()
    Membership.objects.exclude(chapter_id__in=chapters).delete()
    PersonView.objects.exclude(owner_id__in=reached).delete()
    Person.objects.update(first_name="", last_name="", middle_name="", address_line1="", city="", zip_code="")


def check_preview_tells_nothing(batch: ImportBatch) -> None:
    uploader = batch.created_by
    assert uploader is not None
    real = preview_import(batch)
    with transaction.atomic():
        forget_everything_outside(uploader)
        alone = preview_import(batch)
        transaction.set_rollback(True)
    assert [s for _, s, _ in real.sample] == [s for _, s, _ in alone.sample]
    assert (real.plan.new_rows, real.plan.known_rows, real.plan.repeat_rows) == (
        alone.plan.new_rows, alone.plan.known_rows, alone.plan.repeat_rows,
    )  # fmt: skip


def check_signup_tells_nothing(world: World, actor: User, body: dict[str, Any]) -> None:
    scope = scope_for(actor)
    if scope.national:
        return
    answers = []
    for forget in (False, True):
        with transaction.atomic():
            if forget:
                forget_everything_outside(actor)
            response = api_call(world, actor, "POST", "/api/v1/people/signup", body)
            resource = response.json()
            answers.append(
                (
                    response.status_code,
                    {
                        k: v
                        for k, v in resource.items()
                        if k not in ("identifiers", "created_date", "modified_date", "_links")
                    },
                )
            )
            transaction.set_rollback(True)
    assert answers[0] == answers[1]


# ---- the property -----------------------------------------------------------------------------------


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(shape=SHAPES, writes=st.lists(WRITES, min_size=1, max_size=10))
def test_a_persons_data_flows_up_never_sideways(shape, writes, tmp_path_factory):
    _DIR[:] = [tmp_path_factory.mktemp("imports")]
    with transaction.atomic():
        world = build_world(shape)
        for write in writes:
            world.writes += 1
            before = (fact_rows(), view_rows(), national_rows())
            writer, chapter = write.run(world)
            check_write_stays_in_scope(write, writer, chapter, before)
        check_views_are_folds()
        check_nothing_reaches_sideways(world)
        transaction.set_rollback(True)


def test_the_markers_are_found_as_pages_write_them():
    text = 'Fn <b>fn12x</b> (412) 555-0101 pool3@mark.test <a href="/people/ab12x/">'
    assert markers_of(text) == {"fn12x", "ab12x", "+14125550101", "pool3@mark.test"}
    assert markers_of("fn12xy nothing") == set()
