"""The ``groundswell`` command: Django's management commands under one name.

``groundswell help`` lists them; docs/commands.md describes Groundswell's own.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["groundswell", *command_args(sys.argv[1:])])


def command_args(args: list[str]) -> list[str]:
    """Django's argv with the command named as its module is: "groundswell import-people" runs the
    import_people command, and "groundswell help import-people" prints its options."""
    args = list(args)
    name_at = 1 if args[:1] == ["help"] else 0
    if len(args) > name_at and not args[name_at].startswith("-"):
        args[name_at] = args[name_at].replace("-", "_")
    return args


if __name__ == "__main__":
    main()
