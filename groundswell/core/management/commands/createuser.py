"""Create a user and give them a role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.chapters.actions import do_grant_role
from groundswell.chapters.models import Chapter, Role
from groundswell.core.actions import do_create_user


class Command(BaseCommand):
    help = "Create a user who signs in with email and password, optionally with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="Full name, e.g. 'Ada Lovelace'.")
        parser.add_argument("--role", choices=Role.values, help="Role to grant.")
        parser.add_argument("--chapter", default="", help="Chapter slug, for chapter leaders and volunteers.")
        parser.add_argument("--state", default="", help="State code, for state coordinators.")

    def handle(self, *args: Any, **options: Any) -> None:
        first, _, last = options["name"].partition(" ")
        try:
            user = do_create_user(
                email=options["email"],
                password=options["password"],
                first_name=first,
                last_name=last,
                actor=None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["role"]:
            chapter = None
            if options["chapter"]:
                chapter = Chapter.objects.filter(slug=options["chapter"]).first()
                if chapter is None:
                    raise CommandError(f"No chapter with slug {options['chapter']!r}.")
            do_grant_role(user, options["role"], state=options["state"].upper(), chapter=chapter, actor=None)
        self.stdout.write(f"Created {user.email}.")
