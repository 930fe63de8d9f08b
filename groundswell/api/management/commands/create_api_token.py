"""Make an API token for a user; it acts with that user's scope."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groundswell.api.actions import do_create_api_token
from groundswell.core.models import User


class Command(BaseCommand):
    help = "Create an OSDI API token for a user (printed once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The user the token acts for.")
        parser.add_argument("--name", required=True, help="What will use the token, e.g. 'Mailchimp sync'.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        _, raw = do_create_api_token(user=user, name=options["name"], actor=None)
        self.stdout.write(raw)
