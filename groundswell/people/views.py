"""People pages for leaders and staff: the list with search, and one person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.people import selectors


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    people = selectors.search_people(selectors.people_visible_to(request.user), query)
    page = Paginator(people.order_by("sort_name", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {"page": page, "query": query})


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.get_person(request.user, person_id)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "memberships": selectors.memberships_visible_to(request.user, person),
            "timeline": selectors.timeline_of(request.user, person)[:100],
        },
    )
