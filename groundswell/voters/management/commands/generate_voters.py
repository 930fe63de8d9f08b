"""groundswell generate-voters: write synthetic voter files in the real layouts (the engine's generator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from groundswell.voterfile import generate


class Command(BaseCommand):
    help = "Write a synthetic North Carolina (ncvoter + ncvhis) or Ohio SWVF file; the same seed gives the same file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", choices=["nc", "oh"], default="nc", help="Which state's layout.")
        parser.add_argument("--voters", type=int, default=100_000, help="How many voters (default 100,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")
        parser.add_argument(
            "--revision", type=int, default=0, help="A later file: some voters removed, changed, added."
        )
        parser.add_argument("--out", type=Path, required=True, help="Directory to write the files into.")
        parser.add_argument("--zip", action="store_true", help="Also write each file zipped, as the states publish.")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--state", options["state"], "--voters", str(options["voters"]), "--seed", str(options["seed"]),
                "--revision", str(options["revision"]), "--out", str(options["out"])]  # fmt: skip
        if options["zip"]:
            argv.append("--zip")
        generate.main(argv)
