"""The ``groundswell`` command: Django's management commands under one name.

``groundswell help`` lists them; docs/commands.md describes Groundswell's own.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # "groundswell import-people" runs the import_people command
    execute_from_command_line(["groundswell", *args])


if __name__ == "__main__":
    main()
