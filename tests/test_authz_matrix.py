"""Every route x every role x {own, other, missing} answers as tests/authz_matrix.csv says.

A route in the URLconf without rows fails here: see docs/authz-matrix.md for adding them.
"""

from collections import Counter, defaultdict

import pytest
from authz_matrix import (
    COLUMNS,
    NO_TARGET,
    ROLES,
    TABLE,
    TARGETS,
    all_routes,
    observe,
    read_table,
    rows_needed,
    unknown_kwargs,
)

HOW_TO = (
    "Run `.venv/bin/python tests/authz_matrix_generate.py`, review the printed rows against what the product "
    "should do and add them to tests/authz_matrix.csv (how-to: docs/authz-matrix.md)."
)


def test_every_route_uses_url_kwargs_the_matrix_knows():
    problems = [
        f"{route.name} ({route.path}) has URL kwarg {kwarg!r}: add a factory for it to KWARG_FACTORIES "
        "(or ROUTE_KWARG_FACTORIES) in tests/authz_matrix.py, giving chapter A's object for 'own', "
        "chapter B's for 'other' and a value that matches nothing for 'missing'."
        for route in all_routes()
        for kwarg in unknown_kwargs(route)
    ]
    assert not problems, "\n".join(problems)


def test_every_route_has_rows_for_every_role_and_target():
    rows = read_table()
    have = {row.key for row in rows}
    methods: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        methods[row.route_name].add(row.method)
    missing = []
    for route in all_routes():
        lacking = [cell for cell in rows_needed(route, methods[route.name]) if cell not in have]
        if lacking:
            sample = ", ".join("/".join(cell[1:]) for cell in lacking[:4])
            missing.append(f"{route.name} ({route.path}): {len(lacking)} rows missing, e.g. {sample}")
    assert not missing, f"Routes missing from {TABLE.name}:\n" + "\n".join(missing) + "\n" + HOW_TO


def test_the_table_is_well_formed_and_names_only_routes_that_exist():
    rows = read_table()
    assert rows, f"{TABLE} is empty or missing. {HOW_TO}"
    routes = {route.name: route for route in all_routes()}
    problems = []
    for line, row in enumerate(rows, start=2):
        where = f"{TABLE.name} row {line} ({','.join(row.key)})"
        route = routes.get(row.route_name)
        if route is None:
            problems.append(f"{where}: no route named {row.route_name!r} any more; remove its rows")
            continue
        if row.method not in {"GET", "POST", "PUT", "DELETE"}:
            problems.append(f"{where}: method must be GET, POST, PUT or DELETE")
        if row.role not in ROLES:
            problems.append(f"{where}: role must be one of {', '.join(ROLES)}")
        if row.target not in route.targets:
            allowed = ", ".join(TARGETS) if route.kwargs else NO_TARGET
            problems.append(f"{where}: target must be {allowed} for this route")
        if not row.expected:
            problems.append(f"{where}: {COLUMNS[-1]} is empty")
    duplicates = [key for key, n in Counter(row.key for row in rows).items() if n > 1]
    problems += [f"{TABLE.name}: {','.join(key)} appears more than once" for key in duplicates]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_route_answers_every_role_as_the_table_says(personas):
    routes = {route.name: route for route in all_routes()}
    wrong = []
    for row in read_table():
        route = routes.get(row.route_name)
        if route is None or unknown_kwargs(route):
            continue  # reported by the tests above
        observed = observe(route, row.method, row.role, row.target, personas)
        if observed != row.expected:
            asked = f"{row.method} {route.name} as {row.role} on {row.target}"
            wrong.append(f"{asked}: expected {row.expected}, got {observed}")
    assert not wrong, f"{len(wrong)} answers differ from {TABLE.name}:\n" + "\n".join(wrong)
