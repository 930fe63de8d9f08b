"""Print authorization-matrix rows, with the answers the routes give NOW, for routes tests/authz_matrix.csv lacks.

    .venv/bin/python tests/authz_matrix_generate.py              # rows for routes missing from the table
    .venv/bin/python tests/authz_matrix_generate.py people:detail # rows for these routes, present or not
    .venv/bin/python tests/authz_matrix_generate.py --all        # the whole table as the code answers today

It runs in a throwaway test database (the one pytest would use) seeded with the personas. What it prints
is what the code does, not what it should do: read every row before pasting it into the table, and fix
the code where they differ (docs/authz-matrix.md). The test never accepts rows by itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("routes", nargs="*", help="Route names to print rows for.")
    parser.add_argument("--all", action="store_true", help="Print rows for every route.")
    options = parser.parse_args()

    import django

    django.setup()
    from authz_matrix import COLUMNS, all_routes, format_rows, observe_route, read_table, unknown_kwargs
    from django.db import connection, transaction
    from django.test.utils import override_settings, setup_test_environment

    from groundswell.testing import make_personas

    known = {row.route_name for row in read_table()}
    routes = [
        route
        for route in all_routes()
        if options.all or (route.name in options.routes if options.routes else route.name not in known)
    ]
    if not routes:
        print("# Every route has rows in the table.", file=sys.stderr)
        return
    blocked = [(route, kwarg) for route in routes for kwarg in unknown_kwargs(route)]
    for route, kwarg in blocked:
        print(f"# {route.name}: add a factory for URL kwarg {kwarg!r} in tests/authz_matrix.py first", file=sys.stderr)
    routes = [route for route in routes if not unknown_kwargs(route)]

    setup_test_environment()
    database_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    try:
        from django.conf import settings

        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}), transaction.atomic():
            personas = make_personas()
            if options.all or not known:
                print(",".join(COLUMNS))
            for route in routes:
                print(format_rows(observe_route(route, personas)))
            transaction.set_rollback(True)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)


if __name__ == "__main__":
    main()
