"""groundswell export-people OUT.csv --as EMAIL: the people that user may see, as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from groundswell.chapters.models import Chapter
from groundswell.core.models import User
from groundswell.people.exporting import ExportFilters, do_export_people
from groundswell.people.models import Tag


class Command(BaseCommand):
    help = "Export the people a user may see (scoped and audited as on the web) to a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="Where to write the CSV.")
        parser.add_argument("--as", dest="as_email", required=True, help="Export as this user; their scope applies.")
        parser.add_argument("--chapter", help="Only members of the chapter with this slug.")
        parser.add_argument("--tag", help="Only people with this tag.")
        parser.add_argument("-q", "--search", default="", help="Only people matching this name, email or phone.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["as_email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {options['as_email']}.")
        filters = ExportFilters(
            q=options["search"], chapter=self._chapter_id(options["chapter"]), tag=self._tag_id(options["tag"])
        )
        try:
            lines = do_export_people(user, filters=filters)
            rows = self._write(options["out"], lines)
        except (PermissionDenied, Http404):
            raise CommandError(f"{user.email} may not export these people.") from None
        self.stdout.write(f"Wrote {rows} people to {options['out']}.")

    def _chapter_id(self, slug: str | None) -> str:
        if not slug:
            return ""
        chapter = Chapter.objects.filter(slug=slug).first()
        if chapter is None:
            raise CommandError(f"No chapter has the slug {slug!r}.")
        return str(chapter.pk)

    def _tag_id(self, name: str | None) -> str:
        if not name:
            return ""
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            raise CommandError(f"No tag is called {name!r}.")
        return str(tag.pk)

    def _write(self, out: Path, lines: Any) -> int:
        count = -2  # the byte-order mark and the header are not people
        with out.open("w", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line)
                count += 1
        return max(count, 0)
