"""OSDI's filter parameter: what it reads, what it refuses, and that the rows it selects are the right ones.

The property tests read random expressions into a ``Q`` and check the ``Q`` on random rows against the
meaning of the expression worked out here directly; the database tests check real people on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.api.base import ApiInputError
from groundswell.api.filters import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_LENGTH,
    FilterField,
    day_bounds,
    odata_q,
    quote,
    tokenize,
)
from groundswell.chapters.access import scope_for
from groundswell.people import selectors as people_selectors
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.models import EmailAddress, Person, PersonView, PhoneNumber

LOCAL = ZoneInfo("America/New_York")  # settings.TIME_ZONE

FIELDS = {
    "n": FilterField.integer("n"),
    "when": FilterField.datetime("when"),
    "name": FilterField.string("name"),
    "flag": FilterField.boolean("flag"),
}


# ---- a Q, worked out on a plain row -----------------------------------------------------------


def holds(q: Q, row: dict[str, Any]) -> bool:
    results = [holds(child, row) if isinstance(child, Q) else _lookup(child, row) for child in q.children]
    result = all(results) if q.connector == Q.AND else any(results)
    return not result if q.negated else result


def _lookup(child: Any, row: dict[str, Any]) -> bool:
    key, value = child
    column, _, lookup = key.partition("__")
    have = row[column]
    if lookup == "in":
        return bool(have in value)
    return bool(
        {
            "": lambda: have == value,
            "exact": lambda: have == value,
            "gt": lambda: have > value,
            "gte": lambda: have >= value,
            "lt": lambda: have < value,
            "lte": lambda: have <= value,
        }[lookup]()
    )


# ---- random expressions and what they mean ------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any

    def text(self, draw_case: Any) -> str:
        op = draw_case(self.op)
        if isinstance(self.value, bool):
            literal = draw_case("true" if self.value else "false")
        elif isinstance(self.value, int):
            literal = str(self.value)
        elif isinstance(self.value, dt.datetime):
            literal = quote(self.value.isoformat())
        elif isinstance(self.value, dt.date):
            literal = quote(self.value.isoformat())
        else:
            literal = quote(self.value)
        return f"{self.field} {op} {literal}"

    def means(self, row: dict[str, Any]) -> bool:
        have = row[self.field]
        if isinstance(self.value, dt.date) and not isinstance(self.value, dt.datetime):
            have, want = have.astimezone(LOCAL).date(), self.value
        else:
            want = self.value
        return bool(
            {
                "eq": have == want,
                "ne": have != want,
                "gt": have > want,
                "ge": have >= want,
                "lt": have < want,
                "le": have <= want,
            }[self.op]
        )


@dataclass(frozen=True)
class Node:
    join: str
    left: Any
    right: Any

    def means(self, row: dict[str, Any]) -> bool:
        if self.join == "and":
            return bool(self.left.means(row) and self.right.means(row))
        return bool(self.left.means(row) or self.right.means(row))


COMPARE = ["eq", "ne", "gt", "ge", "lt", "le"]
moments = st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC))
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))
names = st.text(alphabet="ab' O", max_size=4)

leaves = st.one_of(
    st.builds(Leaf, st.just("n"), st.sampled_from(COMPARE), st.integers(-5, 5)),
    st.builds(Leaf, st.just("when"), st.sampled_from(COMPARE), st.one_of(days, moments)),
    st.builds(Leaf, st.just("name"), st.sampled_from(["eq", "ne"]), names),
    st.builds(Leaf, st.just("flag"), st.sampled_from(["eq", "ne"]), st.booleans()),
)
expressions = st.recursive(
    leaves, lambda inner: st.builds(Node, st.sampled_from(["and", "or"]), inner, inner), max_leaves=8
)
rows = st.fixed_dictionaries({"n": st.integers(-6, 6), "when": moments, "name": names, "flag": st.booleans()})


def render(expression: Any, draw: Any, parent: str = "") -> str:
    def case(word: str) -> str:
        return str(draw(st.sampled_from([word, word.upper(), word.capitalize()])))

    if isinstance(expression, Leaf):
        text = expression.text(case)
        return f"({text})" if draw(st.booleans()) and draw(st.booleans()) else text
    left = render(expression.left, draw, expression.join)
    right = render(expression.right, draw, expression.join)
    text = f"{left} {case(expression.join)} {right}"
    # "and" binds tighter: an "or" under an "and" needs its parentheses; anything may have them.
    if (parent == "and" and expression.join == "or") or draw(st.integers(0, 4)) == 0:
        return f"({text})"
    return text


@given(st.data(), expressions, st.lists(rows, min_size=1, max_size=8))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_filter_selects_the_rows_its_expression_means(data: Any, expression: Any, table: list[dict[str, Any]]):
    text = render(expression, data.draw)
    if len(text) > MAX_LENGTH:
        return
    q = odata_q(text, FIELDS)
    for row in table:
        assert holds(q, row) == expression.means(row), (text, row)


@given(st.text(max_size=60))
@settings(max_examples=500, deadline=None)
def test_any_string_is_read_or_refused_with_a_400_never_a_crash(text: str):
    try:
        odata_q(text, FIELDS)
    except ApiInputError as exc:
        assert exc.field == "filter" and exc.reason


pieces = st.sampled_from(
    ["(", ")", " and ", " or ", " not ", " eq ", " gt ", " LE ", "n", "when", "name", "flag", "'x'", "''''", "5",
     "'2026-02-30'", "'2026-12-07'", "'9999-12-31'", "'0001-01-01'", "'2026-12-07T10:00:00Z'", "true", "'", " "]
)  # fmt: skip


@given(st.lists(pieces, max_size=30))
@settings(max_examples=800, deadline=None)
def test_any_arrangement_of_filter_words_is_read_or_refused_with_a_400(parts: list[str]):
    try:
        odata_q("".join(parts), FIELDS)
    except ApiInputError as exc:
        assert exc.field == "filter" and exc.reason


@given(st.text())
def test_a_quoted_string_reads_back_as_itself(text: str):
    tokens = tokenize(quote(text))
    assert [(t.kind, t.text) for t in tokens] == [("string", text)]


@given(days, moments)
def test_a_day_is_the_local_day_as_a_whole(day: dt.date, moment: dt.datetime):
    local_day = moment.astimezone(LOCAL).date()
    row = {"when": moment}
    for op, expected in {
        "eq": local_day == day, "ne": local_day != day, "gt": local_day > day,
        "ge": local_day >= day, "lt": local_day < day, "le": local_day <= day,
    }.items():  # fmt: skip
        assert holds(odata_q(f"when {op} '{day.isoformat()}'", FIELDS), row) == expected, op


# ---- examples ----------------------------------------------------------------------------------


def test_a_day_starts_at_local_midnight_not_utc_midnight():
    start, end = day_bounds(dt.date(2026, 12, 7))
    assert start == dt.datetime(2026, 12, 7, 5, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)
    # The day the clocks go forward has 23 hours.
    start, end = day_bounds(dt.date(2026, 3, 8))
    assert end is not None and end - start == dt.timedelta(hours=23)


def test_a_naive_date_time_is_local_and_an_offset_is_exact():
    evening = {"when": dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)}  # 18:30 in New York
    assert holds(odata_q("when eq '2026-12-07T18:30:00'", FIELDS), evening)
    assert holds(odata_q("when eq '2026-12-07T18:30:00-05:00'", FIELDS), evening)
    assert holds(odata_q("when eq '2026-12-07T23:30:00Z'", FIELDS), evening)
    assert holds(odata_q("when ge '2013-11-17T18:27:35-05'", FIELDS), evening)  # OSDI's own example
    assert not holds(odata_q("when gt '2026-12-07T23:30:00Z'", FIELDS), evening)


def test_and_binds_tighter_than_or():
    row = {"n": 1, "name": "x", "when": None, "flag": False}
    assert holds(odata_q("n eq 1 or n eq 2 and name eq 'y'", FIELDS), row)
    assert not holds(odata_q("(n eq 1 or n eq 2) and name eq 'y'", FIELDS), row)


def test_operators_and_joins_are_case_insensitive_and_quotes_double():
    row = {"n": 3, "name": "O'Brien", "when": None, "flag": True}
    assert holds(odata_q("name EQ 'O''Brien' AND n Ge 3 Or flag eq FALSE", FIELDS), row)
    assert holds(odata_q("flag eq 'true'", FIELDS), row)


def refusal(expression: str) -> str:
    with pytest.raises(ApiInputError) as caught:
        odata_q(expression, FIELDS)
    assert caught.value.field == "filter"
    return caught.value.reason


def test_an_unknown_field_is_refused_naming_the_clause_and_the_fields_there_are():
    reason = refusal("n eq 1 and colour eq 'red'")
    assert "colour eq 'red'" in reason and "n, when, name, flag" in reason


def test_an_operator_the_kind_does_not_take_is_refused():
    assert "name is compared only with eq or ne" in refusal("name gt 'a'")
    assert "'like' is no comparison" in refusal("name like 'a'")


def test_an_impossible_date_is_refused():
    assert "'2026-02-30' is no date on the calendar" in refusal("when eq '2026-02-30'")
    assert "no date-time on the calendar" in refusal("when gt '2026-02-30T10:00:00Z'")
    assert "is not a date" in refusal("when gt 'yesterday'")
    assert "out of range" in refusal("when gt '9999-12-31T23:00:00'")


def test_unbalanced_parentheses_are_refused():
    assert "never closed" in refusal("(n eq 1 or n eq 2")
    assert "closes no '('" in refusal("n eq 1)")
    assert "ends where a comparison should follow" in refusal("n eq 1 and")
    assert "no closing quote" in refusal("name eq 'abc")


def test_not_is_not_osdis_and_says_what_to_use():
    assert "compare with ne" in refusal("not n eq 1")


def test_strings_need_quotes_and_numbers_must_be_numbers():
    assert "single quotes" in refusal("name eq Smith")
    assert "not a whole number" in refusal("n eq 'five'")
    assert "not a whole number" in refusal("n gt 99999999999999999999")


def test_too_long_too_many_or_too_deep_is_refused():
    assert "longer than 2,000" in refusal("n eq 1 and " * 200 + "n eq 1")
    assert f"more than {MAX_CLAUSES} comparisons" in refusal(" or ".join(["n eq 1"] * (MAX_CLAUSES + 1)))
    assert f"more than {MAX_DEPTH} deep" in refusal("(" * (MAX_DEPTH + 1) + "n eq 1" + ")" * (MAX_DEPTH + 1))
    assert "is empty" in refusal("   ")


# ---- real rows, on both databases -------------------------------------------------------------


def people_fields(scope: Any) -> dict[str, FilterField]:
    """The people collection's fields, as the lead wires them into api/views.py (see the report)."""
    column = people_selectors.person_column(scope)

    def emails(address: str) -> Q:
        return Q(**{f"{column}__in": EmailAddress.objects.filter(scope.owner_q(), address=address).values("person_id")})

    def phones(number: str) -> Q:
        return Q(**{f"{column}__in": PhoneNumber.objects.filter(scope.owner_q(), number=number).values("person_id")})

    return {
        "created_date": FilterField.datetime("created_at"),
        "modified_date": FilterField.datetime("updated_at"),
        "email_address": FilterField.email(emails),
        "phone_number": FilterField.phone(phones),
        "given_name": FilterField.string("first_name"),
        "family_name": FilterField.string("last_name"),
    }


def selected(user: Any, expression: str) -> set[str]:
    scope = scope_for(user)
    rows = people_selectors.visible_rows(scope).filter(odata_q(expression, people_fields(scope)))
    column = people_selectors.person_column(scope)
    return set(Person.objects.filter(pk__in=rows.values(column)).values_list("last_name", flat=True))


@pytest.fixture
def people(personas: Any) -> dict[str, Person]:
    """Three people in chapter A, created at moments either side of a local midnight in summer (EDT)."""
    made: dict[str, Person] = {}
    moments = {
        "Early": dt.datetime(2026, 6, 15, 3, 59, tzinfo=dt.UTC),  # 23:59 on 14 June in New York
        "Morning": dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC),  # 00:00 on 15 June
        "Late": dt.datetime(2026, 6, 16, 3, 59, 59, tzinfo=dt.UTC),  # 23:59:59 on 15 June
    }
    for last_name, at in moments.items():
        person, _ = do_save_person(
            PersonDetails(first_name="Sam", last_name=last_name, emails=[f"{last_name.lower()}@example.net"],
                          phones=[f"+1412555011{len(made)}"]),
            source="test", actor=None, chapter=personas.chapter_a,
        )  # fmt: skip
        Person.objects.filter(pk=person.pk).update(created_at=at, updated_at=at)
        PersonView.objects.filter(person=person).update(created_at=at, updated_at=at)
        made[last_name] = person
    return made


@pytest.mark.django_db
def test_a_day_selects_the_people_created_that_local_day(personas: Any, people: dict[str, Person]):
    for user in (personas.staff, personas.leader_a):
        assert selected(user, "created_date eq '2026-06-15'") == {"Morning", "Late"}
        assert selected(user, "created_date lt '2026-06-15'") == {"Early"}
        assert selected(user, "created_date gt '2026-06-14' and created_date le '2026-06-15'") == {"Morning", "Late"}
        assert selected(user, "modified_date gt '2026-06-15T03:59:00Z' and modified_date lt '2026-07-01'") == {
            "Morning", "Late"}  # fmt: skip
        assert selected(user, "created_date ne '2026-06-15' and created_date lt '2026-07-01'") == {"Early"}


@pytest.mark.django_db
def test_email_phone_and_names_select_within_the_callers_scope(personas: Any, people: dict[str, Person]):
    assert selected(personas.leader_a, "email_address eq 'LATE@example.net'") == {"Late"}
    assert selected(personas.leader_a, "phone_number eq '412-555-0111'") == {"Morning"}
    assert selected(personas.leader_a, "email_address eq 'early@example.net' or family_name eq 'Late'") == {
        "Early", "Late"}  # fmt: skip
    assert selected(personas.leader_a, "given_name eq 'Sam' and family_name ne 'Late'") == {"Early", "Morning"}
    # Chapter B's leader sees none of them, whichever fact they ask about.
    assert selected(personas.leader_b, "email_address eq 'late@example.net'") == set()
    assert selected(personas.leader_b, "given_name eq 'Sam'") == set()


@pytest.mark.django_db
def test_a_bad_email_or_phone_in_a_filter_is_a_400(personas: Any):
    scope = scope_for(personas.leader_a)
    with pytest.raises(ApiInputError, match="is not an email address"):
        odata_q("email_address eq 'nobody'", people_fields(scope))
    with pytest.raises(ApiInputError, match="phone number"):
        odata_q("phone_number eq '12'", people_fields(scope))
