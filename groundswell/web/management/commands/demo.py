"""Build the demo organization (once) and serve it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings
from rich.console import Console
from rich.table import Table

from groundswell.chapters.models import Role
from groundswell.web.demo import (
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    build_demo,
    database_is_empty,
)


class Command(BaseCommand):
    help = (
        "Migrate, build the demo data if the database is empty (else keep what is there), print one login "
        "per role, then serve like 'groundswell serve'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed; a seed always gives the same data."
        )
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="How many people to make.")
        parser.add_argument("--no-serve", action="store_true", help="Build the data and print the logins only.")
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address and port to serve on.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, width=100, highlight=False)  # type: ignore[arg-type]  # OutputWrapper is a text stream
        call_command("migrate", interactive=False, verbosity=0)
        if database_is_empty():
            started = time.monotonic()
            with console.status("Building the demo organization..."):
                summary = build_demo(options["seed"], options["people"])
            console.print(
                f"Built the demo (seed {options['seed']}) in {time.monotonic() - started:.1f} s: "
                f"{summary.chapters} chapters, {summary.people:,} people, {summary.memberships:,} memberships, "
                f"{summary.duplicate_pairs} duplicate pairs to merge."
            )
            self._load_the_rest(console, options["seed"])
        else:
            console.print("The database already has data; keeping it.")
        console.print(self._logins_table())
        if not options["no_serve"]:
            call_command("serve", bind=options["bind"])

    def _load_the_rest(self, console: Console, seed: int) -> None:
        from groundswell.endorsements.demo import load_pipeline_demo
        from groundswell.field.demo import load_field_demo
        from groundswell.powermap.demo import load_power_map_demo
        from groundswell.turnout.demo import load_turnout_demo
        from groundswell.voters.demo import load_voter_demo

        started = time.monotonic()
        with console.status("Loading Rhode Island's power map (legislators, precincts, 2016 lean)..."):
            load_power_map_demo()
        console.print(f"Loaded Rhode Island's power map in {time.monotonic() - started:.1f} s.")
        started = time.monotonic()
        # The pipeline demo sends questionnaire and ballot links by email, as a real run would; in the
        # demo they are kept in memory instead of filling the terminal.
        with (
            console.status("Adding recruits, a party drive and endorsements..."),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        ):
            pipeline = load_pipeline_demo(seed=seed)
        console.print(
            f"Added {pipeline.recruits} recruits, a reorganization drive with {pipeline.drive_seats} precinct seats "
            f"and the endorsement record in {time.monotonic() - started:.1f} s."
        )
        started = time.monotonic()
        with console.status("Generating and importing a North Carolina voter file..."):
            voters = load_voter_demo(seed=seed)
        console.print(
            f"Imported {voters.voters:,} NC voters with {voters.history_rows:,} history rows; linked "
            f"{voters.linked} to members, {voters.to_review} waiting for review ({time.monotonic() - started:.1f} s)."
        )
        with console.status("Cutting Raleigh's canvass into turfs..."):
            field = load_field_demo(seed=seed)
        console.print(f"Cut {field.turfs} turfs for Raleigh's canvass and assigned one to the Raleigh volunteer.")
        with console.status("Knocking doors and reading the early-vote file..."):
            turnout = load_turnout_demo(field, seed=seed)
        console.print(
            f"Recorded {turnout.attempts:,} knocks ({turnout.contacted:,} talked to, {turnout.supporters:,} "
            f"supporters); {turnout.voted_early:,} supporters have voted early and {turnout.mail_outstanding:,} "
            "have a mail ballot out: the chase list is ready."
        )

    def _logins_table(self) -> Table:
        table = Table(title=f"Demo logins — every password is {DEMO_PASSWORD}")
        table.add_column("Role")
        table.add_column("Email")
        table.add_column("Name")
        table.add_column("Where")
        for login in DEMO_LOGINS:
            table.add_row(Role(login.role).label, login.email, login.name, login.where)
        return table
