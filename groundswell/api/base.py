"""What every API endpoint shares: the two faces it answers on, the token check, JSON errors, paging.

The same views answer at two prefixes (groundswell.urls mounts groundswell.api.urls twice):

- ``/api/v1/``, the OSDI face: identifiers ``groundswell:<id>`` first, up to 100 per page;
- ``/api/v2/``, the Action Network face, for tools written against Action Network (Parsons, osdi):
  identifiers ``action_network:<id>`` first, 25 per page at most, Action Network's helper paths.

A view gets the request with ``request.api`` (an ``ApiCall``: the face, the acting user, link making)
and the acting user; it raises ``ApiInputError`` for bad input (a 400 naming the parameter) and
``Http404`` for anything missing or out of the caller's scope.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from groundswell.api import idempotency, limits
from groundswell.api.auth import api_caller
from groundswell.api.auth import api_user as api_user  # still importable from here, as it always was
from groundswell.core.models import User

HAL = "application/hal+json"
# Beyond this a page number means nothing (and would overflow a database's OFFSET).
MAX_PAGE = 1_000_000

CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": True}]

Handler = Callable[..., HttpResponse]


class ApiInputError(ValueError):
    """A request body or query the API cannot accept; names the parameter or field that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Face:
    key: str
    prefix: str
    id_prefix: str
    max_per_page: int
    default_per_page: int = 25

    def identifiers(self, value: object) -> list[str]:
        """A resource's identifiers, this face's own first (tools read the first, or the one they know)."""
        return [f"{self.id_prefix}:{value}", *(f"{f.id_prefix}:{value}" for f in FACES.values() if f is not self)]


OSDI = Face(key="osdi", prefix="/api/v1", id_prefix="groundswell", max_per_page=100)
ACTION_NETWORK = Face(key="action_network", prefix="/api/v2", id_prefix="action_network", max_per_page=25)
FACES = {face.key: face for face in (OSDI, ACTION_NETWORK)}


# The entry point's links: (rel, path under the face's root), added by each resource module at import
# with ``advertise``, so the entry point lists just what is implemented.
ENTRY_LINKS: list[tuple[str, str]] = []


def advertise(rel: str, path: str) -> None:
    if (rel, path) not in ENTRY_LINKS:
        ENTRY_LINKS.append((rel, path))


@dataclass(frozen=True)
class ApiCall:
    """One request to the API: which face it came in on and for whom it acts."""

    request: HttpRequest
    face: Face
    user: User

    @property
    def base(self) -> str:
        """The face's absolute root, without a trailing slash: links are ``f"{call.base}/people/..."``."""
        return self.request.build_absolute_uri(self.face.prefix)

    def identifiers(self, value: object) -> list[str]:
        return self.face.identifiers(value)


def call_of(request: HttpRequest) -> ApiCall:
    call = getattr(request, "api", None)
    assert isinstance(call, ApiCall), "only inside an api_endpoint"
    return call


def hal(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, content_type=HAL, json_dumps_params={"ensure_ascii": False})


def error(status: int, message: str, field: str = "", headers: dict[str, str] | None = None) -> JsonResponse:
    body = {"request_type": "error", "error": message}
    if field:
        body["field"] = field
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def face_of(kwargs: dict[str, Any]) -> Face:
    return FACES[kwargs.pop("face", OSDI.key)]


def api_endpoint(*methods: str) -> Callable[[Handler], Handler]:
    """Resolve the acting user from the token, refuse other methods, and turn errors into JSON.

    The view is called as ``view(request, user, **url_kwargs)`` with ``request.api`` set."""

    def decorate(view: Handler) -> Handler:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            face = face_of(kwargs)
            if request.method not in methods:
                response = error(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
                response["Allow"] = ", ".join(methods)
                return response
            caller = api_caller(request)
            if caller is None:
                return error(401, "Send a valid API token in the OSDI-API-Token header.")
            wait = limits.retry_after(caller.rate_key)
            if wait is not None:
                return too_many_requests(wait)
            user = caller.user
            request.api = ApiCall(request=request, face=face, user=user)  # type: ignore[attr-defined]
            try:
                key = _idempotency_key(request)
                if key is None or caller.token is None:
                    return view(request, user, *args, **kwargs)
                return idempotency.answer_once(
                    request, caller.token, key, lambda: view(request, user, *args, **kwargs), _key_reused(key)
                )
            except ApiInputError as exc:
                return error(400, exc.reason, exc.field)
            except (Http404, PermissionDenied):
                return error(404, "Not found.")

        wrapper.api_methods = methods  # type: ignore[attr-defined]
        return wrapper

    return decorate


def too_many_requests(wait: int) -> JsonResponse:
    return error(
        429,
        f"Too many requests: a token may make {limits.rate():g} a second (in bursts of up to {limits.burst()}). "
        f"Retry in {wait} second{'s' if wait != 1 else ''}.",
        headers={"Retry-After": str(wait)},
    )


def _idempotency_key(request: HttpRequest) -> str | None:
    try:
        return idempotency.idempotency_key(request)
    except ValueError as exc:
        raise ApiInputError(idempotency.KEY_HEADER, str(exc)) from None


def _key_reused(key: str) -> JsonResponse:
    return error(
        422,
        f"This {idempotency.KEY_HEADER} ({key[:40]!r}) was used for a different request; "
        "send a new request with a new key.",
        idempotency.KEY_HEADER,
    )


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Every path under /api/ that is no endpoint: a JSON 404, never Django's HTML page."""
    return error(404, f"There is no {request.path} in the API; GET /api/v1/ lists what there is.")


def read_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        raise ApiInputError("body", "is not valid JSON") from None


def read_object(request: HttpRequest) -> dict[str, Any]:
    body = read_body(request)
    if not isinstance(body, dict):
        raise ApiInputError("body", "must be a JSON object")
    return body


def _whole_number(request: HttpRequest, name: str, default: int, most: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiInputError(name, f"must be a whole number, not {raw[:40]!r}") from None
    if value < 1 or value > most:
        raise ApiInputError(name, f"must be from 1 to {most:,}")
    return value


def page_numbers(request: HttpRequest) -> tuple[int, int]:
    """``page`` and ``per_page``; a per_page above the face's largest is read as its largest, as
    Action Network does."""
    face = call_of(request).face
    page = _whole_number(request, "page", 1, MAX_PAGE)
    per_page = _whole_number(request, "per_page", face.default_per_page, 10**6)
    return page, min(per_page, face.max_per_page)


def collection(
    request: HttpRequest,
    rel: str,
    rows: QuerySet[Any] | list[Any],
    render: Callable[[Any], dict[str, Any]] | None = None,
    *,
    render_page: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
    total: int | None = None,
) -> JsonResponse:
    """One page of a collection, rendered a row at a time (``render``) or a page at a time.
    A page past the last is empty, with the same keys: clients page until they meet one."""
    page, per_page = page_numbers(request)
    if total is None:
        total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    page_rows = list(rows[(page - 1) * per_page : page * per_page])
    if render_page is None:
        assert render is not None
        items = [render(row) for row in page_rows]
    else:
        items = render_page(page_rows)
    total_pages = max(1, math.ceil(total / per_page))
    self_href = request.build_absolute_uri(request.path)

    def page_href(number: int) -> str:
        query = request.GET.copy()
        query["page"], query["per_page"] = str(number), str(per_page)
        return f"{self_href}?{query.urlencode()}"

    links: dict[str, Any] = {"self": {"href": page_href(page)}, "curies": CURIES}
    if page < total_pages:
        links["next"] = {"href": page_href(page + 1)}
    if page > 1:
        links["prev"] = {"href": page_href(page - 1)}
    links[rel] = [{"href": item["_links"]["self"]["href"]} for item in items]
    return hal({
        "total_pages": total_pages, "per_page": per_page, "page": page, "total_records": total,
        "_links": links, "_embedded": {rel: items},
    })  # fmt: skip
