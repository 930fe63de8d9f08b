"""The authorization matrix: every route of the URLconf, asked by every role about its own chapter's
object, another chapter's object and a missing one, against the answers kept in authz_matrix.csv.

Shared by tests/test_authz_matrix.py (which compares) and tests/authz_matrix_generate.py (which prints
rows for routes the table lacks). How to add rows: docs/authz-matrix.md.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from groundswell.chapters.models import Role, RoleGrant
from groundswell.core.models import Job
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.importing import do_upload_people_file
from groundswell.powermap.selectors import IMPORT_JOB_KINDS
from groundswell.testing import Personas

TABLE = Path(__file__).with_name("authz_matrix.csv")
COLUMNS = ("route_name", "method", "role", "target", "expected")

# Role name in the table -> the persona (groundswell/testing.py) who plays it; None is a visitor.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "national_staff": "staff",
    "state_coordinator": "coordinator",  # Pennsylvania: chapter A's state, not chapter B's
    "chapter_leader": "leader_a",
    "volunteer": "volunteer",  # a volunteer of chapter A
    "candidate": "candidate",
    "partner_liaison": "partner",
}
# "own" is chapter A's object (leader A's chapter), "other" chapter B's, "missing" one that does not exist.
TARGETS = ("own", "other", "missing")
NO_TARGET = "-"
MISSING_ID = 999999
MISSING_SLUG = "no-such-slug"

# Routes that are not the product's pages.
SKIPPED_PREFIXES = ("django-admin/", "static/", "media/", "__debug__/")


def _three(own: Callable[[Personas], Any], other: Callable[[Personas], Any], missing: Any) -> KwargFactory:
    def value(personas: Personas, target: str) -> Any:
        if target == "own":
            return own(personas)
        if target == "other":
            return other(personas)
        return missing

    return value


def _leader_grant(user_attr: str) -> Callable[[Personas], int]:
    def grant_id(personas: Personas) -> int:
        user = getattr(personas, user_attr)
        return RoleGrant.objects.get(user=user, role=Role.CHAPTER_LEADER).pk

    return grant_id


def _job_started_by(user_attr: str, kind: str = "authz-matrix") -> Callable[[Personas], int]:
    def job_id(personas: Personas) -> int:
        return Job.objects.create(kind=kind, created_by=getattr(personas, user_attr)).pk

    return job_id


def _another_member(chapter_attr: str) -> Callable[[Personas], int]:
    """A second member of the chapter with the same name as its first: a duplicate pair within one chapter."""

    def person_id(personas: Personas) -> int:
        chapter = getattr(personas, chapter_attr)
        first = personas.member_a if chapter == personas.chapter_a else personas.member_b
        details = PersonDetails(first_name=first.first_name, last_name=first.last_name, city=first.city)
        person, _ = do_save_person(details, source="authz matrix", actor=None, chapter=chapter)
        return person.pk

    return person_id


def _import_batch(leader_attr: str, chapter_attr: str) -> Callable[[Personas], int]:
    """A file of people uploaded by the chapter's leader into their chapter, not yet imported."""

    def batch_id(personas: Personas) -> int:
        upload = Path(tempfile.mkdtemp()) / "people.csv"
        upload.write_text("first_name,last_name,email\nAda,Lovelace,ada@example.net\n")
        leader, chapter = getattr(personas, leader_attr), getattr(personas, chapter_attr)
        return do_upload_people_file(upload, chapter=chapter, actor=leader).pk

    return batch_id


def _uid(user_attr: str) -> Callable[[Personas], str]:
    return lambda personas: urlsafe_base64_encode(force_bytes(getattr(personas, user_attr).pk))


KwargFactory = Callable[[Personas, str], Any]

# URL kwarg name -> the value for own / other / missing. Add yours here when a route uses a new kwarg;
# for a kwarg whose meaning depends on the route, add it to ROUTE_KWARG_FACTORIES instead.
KWARG_FACTORIES: dict[str, KwargFactory] = {
    "slug": _three(lambda p: p.chapter_a.slug, lambda p: p.chapter_b.slug, MISSING_SLUG),
    "chapter_slug": _three(lambda p: p.chapter_a.slug, lambda p: p.chapter_b.slug, MISSING_SLUG),
    "person_id": _three(lambda p: p.member_a.pk, lambda p: p.member_b.pk, MISSING_ID),
    "user_id": _three(lambda p: p.leader_a.pk, lambda p: p.leader_b.pk, MISSING_ID),
    "job_id": _three(_job_started_by("leader_a"), _job_started_by("leader_b"), MISSING_ID),
    "first_id": _three(lambda p: p.member_a.pk, lambda p: p.member_b.pk, MISSING_ID),
    "second_id": _three(_another_member("chapter_a"), _another_member("chapter_b"), MISSING_ID),
    "batch_id": _three(_import_batch("leader_a", "chapter_a"), _import_batch("leader_b", "chapter_b"), MISSING_ID),
    # The power map holds public facts by state; the personas load none, so these pages answer for an
    # empty map. A state, chamber or district is "own" when it is chapter A's (Pennsylvania).
    "state": _three(lambda p: p.chapter_a.state.lower(), lambda p: p.chapter_b.state.lower(), "zz"),
    "chamber": _three(lambda p: "lower", lambda p: "lower", "no-such-chamber"),
    "plan": _three(lambda p: "legislative", lambda p: "legislative", "no-such-plan"),
    "ocd_id": _three(
        lambda p: "ocd-division/country:us/state:pa/sldl:1",
        lambda p: "ocd-division/country:us/state:ri/sldl:1",
        "ocd-division/country:us/state:zz/sldl:0",
    ),
    "grant_id": _three(_leader_grant("leader_a"), _leader_grant("leader_b"), MISSING_ID),
    # A password-reset link for leader A or B with a token that is not valid: the page says so.
    "uidb64": _three(_uid("leader_a"), _uid("leader_b"), urlsafe_base64_encode(force_bytes(MISSING_ID))),
    "token": _three(lambda p: "not-a-valid-token", lambda p: "not-a-valid-token", "not-a-valid-token"),
}

# (route_name, kwarg) -> factory, for routes where a kwarg name means something unusual.
ROUTE_KWARG_FACTORIES: dict[tuple[str, str], KwargFactory] = {
    # Power-map import jobs are national staff's; own/other differ only by who started them.
    ("powermap:import-job", "job_id"): _three(
        _job_started_by("leader_a", IMPORT_JOB_KINDS[0]), _job_started_by("leader_b", IMPORT_JOB_KINDS[0]), MISSING_ID
    ),
}


@dataclass(frozen=True)
class Route:
    name: str  # "app:name", or the path pattern when the route has no name
    path: str  # "people/<int:person_id>/"
    kwargs: tuple[str, ...]
    segments: tuple[Any, ...]  # the URL patterns from the root down, to build the URL from

    @property
    def targets(self) -> tuple[str, ...]:
        return TARGETS if self.kwargs else (NO_TARGET,)


def _pattern_kwargs(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(
    patterns: list[Any], prefix: str, namespace: str, segments: tuple[Any, ...]
) -> Iterator[tuple[str, str, tuple[str, ...], tuple[Any, ...]]]:
    for entry in patterns:
        here = prefix + str(entry.pattern)
        chain = (*segments, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, here, inner, chain)
        elif isinstance(entry, URLPattern):
            kwargs = tuple(k for seg in chain for k in _pattern_kwargs(seg))
            name = f"{namespace}{entry.name}" if entry.name else here
            yield name, here, kwargs, chain


def all_routes() -> list[Route]:
    """Every route of the URLconf but Django's admin and static files, in URLconf order."""
    routes: list[Route] = []
    seen: set[str] = set()
    for name, path, kwargs, chain in _walk(get_resolver().url_patterns, "", "", ()):
        if path.lstrip("^").startswith(SKIPPED_PREFIXES):
            continue
        key = name if name not in seen else f"{name}@{path}"
        seen.add(key)
        routes.append(Route(key, path, kwargs, chain))
    return routes


def unknown_kwargs(route: Route) -> list[str]:
    return [k for k in route.kwargs if k not in KWARG_FACTORIES and (route.name, k) not in ROUTE_KWARG_FACTORIES]


def _segment_url(pattern: Any, values: dict[str, Any]) -> str:
    if isinstance(pattern, RoutePattern):

        def converted(match: re.Match[str]) -> str:
            name = match.group("name")
            return str(pattern.converters[name].to_url(values[name]))

        return re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", converted, str(pattern))
    text = str(pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: str(values[m.group("name")]), text)
    return text.replace("\\", "")


def url_for(route: Route, personas: Personas, target: str) -> str:
    values = {}
    for kwarg in route.kwargs:
        factory = ROUTE_KWARG_FACTORIES.get((route.name, kwarg), KWARG_FACTORIES.get(kwarg))
        assert factory is not None, f"no factory for URL kwarg {kwarg!r} of {route.name}"
        values[kwarg] = factory(personas, target)
    return "/" + "".join(_segment_url(segment, values) for segment in route.segments)


def status_class(response: Any) -> str:
    """200, 404, ...; a redirect to the sign-in page is 302-login, any other redirect 302."""
    if response.status_code in (301, 302, 303, 307, 308):
        login = resolve_url(settings.LOGIN_URL)
        return "302-login" if response["Location"].split("?")[0] == login else "302"
    return str(response.status_code)


def observe(route: Route, method: str, role: str, target: str, personas: Personas) -> str:
    """Ask the route as this role, in a transaction that is rolled back so no request changes the next."""
    with transaction.atomic():
        url = url_for(route, personas, target)
        client = Client(raise_request_exception=True)
        persona = ROLES[role]
        if persona is not None:
            client.force_login(getattr(personas, persona))
        try:
            response = client.get(url) if method == "GET" else client.post(url, {})
            observed = status_class(response)
        except Exception as exc:  # a crash is an answer the table can show, not a reason to stop
            observed = f"error {type(exc).__name__}: {exc}"[:200]
        transaction.set_rollback(True)
    return observed


@dataclass(frozen=True)
class Row:
    route_name: str
    method: str
    role: str
    target: str
    expected: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.route_name, self.method, self.role, self.target)


def read_table(path: Path = TABLE) -> list[Row]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        return [Row(**{c: (r.get(c) or "").strip() for c in COLUMNS}) for r in reader]


def rows_needed(route: Route, methods: set[str]) -> list[tuple[str, str, str, str]]:
    """The (route, method, role, target) cells a route must have: GET always, and POST once it has any."""
    return [(route.name, m, role, t) for m in sorted(methods | {"GET"}) for role in ROLES for t in route.targets]


def observe_route(route: Route, personas: Personas) -> list[Row]:
    """What the route answers now, for every role and target: GET, and POST too when GET is refused (405)."""
    rows = [
        Row(route.name, "GET", role, t, observe(route, "GET", role, t, personas))
        for role in ROLES
        for t in route.targets
    ]
    if any(row.expected == "405" for row in rows):
        rows += [
            Row(route.name, "POST", role, t, observe(route, "POST", role, t, personas))
            for role in ROLES
            for t in route.targets
        ]
    return rows


def format_rows(rows: list[Row]) -> str:
    return "\n".join(",".join((r.route_name, r.method, r.role, r.target, r.expected)) for r in rows)
