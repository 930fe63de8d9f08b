"""Make a saved list of people as an organizer, outside the API: the same actions, the same scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.chapters.access import scope_for
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.models import User
from groundswell.lists import actions
from groundswell.people.models import EmailAddress, Via
from groundswell.people.normalize import normalize_email
from groundswell.people.selectors import people_visible_to


class Command(BaseCommand):
    help = "Make a list of people for a user (their chapter's, their state's or national's), optionally with people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user the list is made by; it is theirs as the API would make it.")
        parser.add_argument("--name", required=True, help="The list's name.")
        parser.add_argument("--description", default="", help="What the list is for.")
        parser.add_argument(
            "--chapter", default="", help="Slug of the chapter it is for (for a user who runs several)."
        )
        parser.add_argument(
            "--add", action="append", default=[], metavar="EMAIL",
            help="Put the person with this email address on it (repeat for more); only people the user can see.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        chapter = None
        if options["chapter"]:
            chapter = chapters_managed_by(user).filter(slug=options["chapter"]).first()
            if chapter is None:
                raise CommandError(f"{user.email} does not run a chapter {options['chapter']!r}.")
        people = [self._person(user, address) for address in options["add"]]
        try:
            made = actions.do_create_people_list(
                name=options["name"], description=options["description"], chapter=chapter, actor=user
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except actions.ListOwnerUnclear as exc:
            raise CommandError(f"--chapter: {exc}") from None
        except ValueError as exc:
            raise CommandError(f"--name: {exc}") from None
        added = 0
        for person in people:
            try:
                added += actions.do_add_to_people_list(made, person, actor=user, via=Via.STAFF, source="make_list")[1]
            except actions.PersonUnknownToOwner as exc:
                self.stderr.write(f"left out: {exc}")
        self.stdout.write(f"{made.uid} {made.name!r} ({made.owner.label}): {added} people")

    def _person(self, user: User, address: str) -> Any:
        try:
            cleaned = normalize_email(address)
        except ValueError as exc:
            raise CommandError(f"--add {address}: {exc}") from None
        owned = EmailAddress.objects.filter(scope_for(user).owner_q(), address=cleaned).values("person_id")
        person = people_visible_to(user).filter(pk__in=owned).first()
        if person is None:
            raise CommandError(f"--add {address}: {user.email} has no one with this address in sight.")
        return person
