"""The ``groundswell`` command: Django's management commands under one name.

``groundswell help`` lists them; docs/commands.md describes Groundswell's own.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["groundswell", *sys.argv[1:]])


if __name__ == "__main__":
    main()
