"""List background jobs, or follow one with a progress bar until it ends."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from groundswell.core.models import Job, JobStatus


class Command(BaseCommand):
    help = "List recent background jobs; with --follow ID, show that job's progress until it ends."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--follow", type=int, metavar="ID", help="Follow this job's progress.")
        parser.add_argument("--limit", type=int, default=20, help="How many recent jobs to list.")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout)  # type: ignore[arg-type]  # OutputWrapper is a text stream
        if options["follow"]:
            job = Job.objects.filter(pk=options["follow"]).first()
            if job is None:
                raise CommandError(f"No job {options['follow']}.")
            self._follow(job, console)
            return
        table = Table("#", "What", "Status", "Phase", "Done", "Queued")
        for job in Job.objects.all()[: options["limit"]]:
            done = f"{job.done}/{job.total}" if job.total else str(job.done or "")
            table.add_row(str(job.pk), job.kind, job.status, job.phase, done, f"{job.created_at:%Y-%m-%d %H:%M}")
        console.print(table)

    def _follow(self, job: Job, console: Console) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(job.phase or job.status, total=job.total)
            while not job.is_finished:
                bar.update(task, description=job.phase or job.status, total=job.total, completed=job.done)
                time.sleep(0.5)
                job.refresh_from_db()
            bar.update(task, description=job.status, total=job.total or 1, completed=job.total or 1)
        if job.status == JobStatus.FAILED:
            raise CommandError(job.error)
        for key, value in job.result.items():
            console.print(f"{key}: {value}")
