"""Chapter pages: the public finder and chapter page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.chapters import selectors


def finder(request: HttpRequest) -> HttpResponse:
    chapters = selectors.public_chapters()
    return render(request, "chapters/finder.html", {"chapters": chapters})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = selectors.get_public_chapter(slug)
    return render(request, "chapters/detail.html", {"chapter": chapter})
