"""OSDI's ``filter`` query parameter: the subset of OData that OSDI lists, read into a Django ``Q``.

    created_date ge '2026-12-01' and (email_address eq 'maria@example.net' or family_name eq 'O''Brien')

OSDI lists the comparisons ``eq ne gt ge lt le`` and the joins ``and`` and ``or`` (``and`` binds tighter),
with parentheses for grouping; ``not`` is not among them, so it is refused with a pointer to ``ne``.
Strings are single-quoted, a quote inside doubled (``'O''Brien'``); whole numbers and ``true``/``false``
may go bare. Operators and joins are case-insensitive; field names are not.

Each collection says which fields it filters on and of what kind (``FilterField``). A date alone is a
day in the organization's time zone (settings.TIME_ZONE) and compares as a whole day: ``eq`` is within
it, ``ge`` from its start, ``gt`` after its end, ``lt`` before its start, ``le`` before its end, ``ne``
outside it. A date-time with ``Z`` or an offset is that instant; one without is local time.

The parser is a tokenizer and a recursive descent over the grammar

    expression := conjunction ("or" conjunction)*
    conjunction := term ("and" term)*
    term := "(" expression ")" | field operator value
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from groundswell.api.base import ApiInputError
from groundswell.people.normalize import normalize_email, normalize_phone

MAX_LENGTH = 2_000
MAX_CLAUSES = 50
# Deeper nesting than this is no query a tool writes; the cap also bounds the parser's recursion.
MAX_DEPTH = 20
BIGGEST_INTEGER = 2**63 - 1

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
EQUALITY = ("eq", "ne")
JOINS = ("and", "or")


class Kind(StrEnum):
    DATETIME = "date-time"
    STRING = "string"
    EMAIL = "email address"
    PHONE = "phone number"
    INTEGER = "whole number"
    BOOLEAN = "true or false"


OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.DATETIME: COMPARISONS,
    Kind.INTEGER: COMPARISONS,
    Kind.STRING: EQUALITY,
    Kind.EMAIL: EQUALITY,
    Kind.PHONE: EQUALITY,
    Kind.BOOLEAN: EQUALITY,
}


@dataclass(frozen=True)
class FilterField:
    """A field a collection can be filtered by: a model column, or for an email address or phone number
    a callback turning the cleaned value into a condition on the rows (over the caller's own facts)."""

    kind: Kind
    column: str = ""
    match: Callable[[str], Q] | None = None

    @classmethod
    def datetime(cls, column: str) -> FilterField:
        return cls(Kind.DATETIME, column)

    @classmethod
    def string(cls, column: str) -> FilterField:
        return cls(Kind.STRING, column)

    @classmethod
    def integer(cls, column: str) -> FilterField:
        return cls(Kind.INTEGER, column)

    @classmethod
    def boolean(cls, column: str) -> FilterField:
        return cls(Kind.BOOLEAN, column)

    @classmethod
    def email(cls, match: Callable[[str], Q]) -> FilterField:
        return cls(Kind.EMAIL, match=match)

    @classmethod
    def phone(cls, match: Callable[[str], Q]) -> FilterField:
        return cls(Kind.PHONE, match=match)


# ---- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", "string" or "word"
    text: str
    at: int  # where it starts in the expression, for messages


# Characters of a bare word: names (birthdate.year), numbers (-5) and unquoted dates and times.
WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:+-")


def _refuse(reason: str) -> ApiInputError:
    return ApiInputError("filter", reason)


def tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    while at < len(expression):
        char = expression[at]
        if char.isspace():
            at += 1
        elif char in "()":
            tokens.append(Token(char, char, at))
            at += 1
        elif char == "'":
            text, end = _quoted(expression, at)
            tokens.append(Token("string", text, at))
            at = end
        elif char in WORD_CHARACTERS:
            start = at
            while at < len(expression) and expression[at] in WORD_CHARACTERS:
                at += 1
            tokens.append(Token("word", expression[start:at], start))
        else:
            raise _refuse(f"unexpected {char!r} at character {at + 1}; strings go in single quotes")
    return tokens


def _quoted(expression: str, start: int) -> tuple[str, int]:
    """The string that opens at ``start`` (a quote), with '' read as one quote; and where it ends."""
    parts: list[str] = []
    at = start + 1
    while True:
        end = expression.find("'", at)
        if end < 0:
            raise _refuse(f"the string that starts at character {start + 1} has no closing quote")
        parts.append(expression[at:end])
        if expression.startswith("''", end):
            parts.append("'")
            at = end + 2
        else:
            return "".join(parts), end + 1


# ---- grammar -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, expression: str, fields: Mapping[str, FilterField]) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.fields = fields
        self.position = 0
        self.clauses = 0

    def parse(self) -> Q:
        if not self.tokens:
            raise _refuse("is empty; e.g. modified_date gt '2026-01-01'")
        q = self.disjunction(0)
        if self.position < len(self.tokens):
            token = self.tokens[self.position]
            if token.kind == ")":
                raise _refuse(f"the ')' at character {token.at + 1} closes no '('")
            raise _refuse(f"expected 'and' or 'or' before {token.text!r} at character {token.at + 1}")
        return q

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        self.position += token is not None
        return token

    def at_join(self, join: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() == join

    def disjunction(self, depth: int) -> Q:
        q = self.conjunction(depth)
        while self.at_join("or"):
            self.take()
            q = q | self.conjunction(depth)
        return q

    def conjunction(self, depth: int) -> Q:
        q = self.term(depth)
        while self.at_join("and"):
            self.take()
            q = q & self.term(depth)
        return q

    def term(self, depth: int) -> Q:
        token = self.take()
        if token is None:
            raise _refuse("ends where a comparison should follow")
        if token.kind == "(":
            if depth >= MAX_DEPTH:
                raise _refuse(f"nests parentheses more than {MAX_DEPTH} deep")
            q = self.disjunction(depth + 1)
            closing = self.take()
            if closing is None or closing.kind != ")":
                raise _refuse(f"the '(' at character {token.at + 1} is never closed")
            return q
        return self.comparison(token)

    def comparison(self, name: Token) -> Q:
        if name.kind != "word":
            raise _refuse(f"expected a field name at character {name.at + 1}, not {name.text!r}")
        if name.text.lower() == "not":
            raise _refuse("OSDI's filter has no 'not'; compare with ne instead")
        operator, value = self.take(), self.take()
        clause = " ".join(t.text if t.kind != "string" else quote(t.text) for t in (name, operator, value) if t)
        if operator is None or value is None or operator.kind != "word" or value.kind not in ("word", "string"):
            raise _refuse(f"cannot read {clause!r}; a comparison is field, operator, value: email_address eq 'a@b.org'")
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise _refuse(f"has more than {MAX_CLAUSES} comparisons")
        return compare(name.text, operator.text.lower(), value, self.fields, clause)


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---- one comparison ----------------------------------------------------------------------------


def compare(name: str, operator: str, value: Token, fields: Mapping[str, FilterField], clause: str) -> Q:
    field = fields.get(name)
    if field is None:
        raise _refuse(f"in {clause!r}: there is no field {name!r} to filter by; use one of {', '.join(fields)}")
    if operator in JOINS or operator not in COMPARISONS:
        raise _refuse(f"in {clause!r}: {operator!r} is no comparison; use one of {', '.join(COMPARISONS)}")
    if operator not in OPERATORS[field.kind]:
        allowed = " or ".join(OPERATORS[field.kind])
        raise _refuse(f"in {clause!r}: {name} is compared only with {allowed}")
    try:
        return READERS[field.kind](field, operator, value)
    except ValueError as exc:
        raise _refuse(f"in {clause!r}: {exc}") from None


def _column_q(column: str, operator: str, value: object) -> Q:
    if operator == "ne":
        return ~Q(**{column: value})
    lookup = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[operator]
    return Q(**{f"{column}__{lookup}": value})


def _quoted_text(value: Token, kind: Kind) -> str:
    if value.kind != "string":
        raise ValueError(f"a {kind} goes in single quotes: '{value.text}'")
    return value.text


def _string(field: FilterField, operator: str, value: Token) -> Q:
    return _column_q(field.column, operator, _quoted_text(value, field.kind))


def _matched(field: FilterField, operator: str, cleaned: str) -> Q:
    assert field.match is not None, "an email or phone field needs its match callback"
    q = field.match(cleaned)
    return ~q if operator == "ne" else q


def _email(field: FilterField, operator: str, value: Token) -> Q:
    return _matched(field, operator, normalize_email(_quoted_text(value, field.kind)))


def _phone(field: FilterField, operator: str, value: Token) -> Q:
    return _matched(field, operator, normalize_phone(_quoted_text(value, field.kind)))


def _integer(field: FilterField, operator: str, value: Token) -> Q:
    text = value.text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or abs(int(text)) > BIGGEST_INTEGER:
        raise ValueError(f"{text!r} is not a whole number")
    return _column_q(field.column, operator, int(text))


def _boolean(field: FilterField, operator: str, value: Token) -> Q:
    text = value.text.strip().lower()
    if text not in ("true", "false"):
        raise ValueError(f"{value.text!r} is not true or false")
    return _column_q(field.column, operator, text == "true")


def _datetime(field: FilterField, operator: str, value: Token) -> Q:
    text = value.text.strip()
    if _is_day(text):
        return _day_q(field.column, operator, _day(text))
    return _column_q(field.column, operator, moment(text))


READERS: dict[Kind, Callable[[FilterField, str, Token], Q]] = {
    Kind.DATETIME: _datetime,
    Kind.STRING: _string,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.INTEGER: _integer,
    Kind.BOOLEAN: _boolean,
}


# ---- days and moments --------------------------------------------------------------------------


def _is_day(text: str) -> bool:
    """YYYY-MM-DD exactly (Python would also read week dates and run-together digits as dates)."""
    return len(text) == 10 and text[4] == text[7] == "-" and (text[:4] + text[5:7] + text[8:]).isdigit()


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is no date on the calendar") from None


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime | None]:
    """When the day starts and when it ends (the next day's start) in the organization's time zone,
    in UTC; a day at the end of the calendar has no end."""
    zone = timezone.get_default_timezone()
    try:
        start = dt.datetime.combine(day, dt.time.min, zone).astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{day.isoformat()!r} is out of range") from None
    try:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone).astimezone(dt.UTC)
    except OverflowError:
        return start, None
    return start, end


def _day_q(column: str, operator: str, day: dt.date) -> Q:
    start, end = day_bounds(day)
    since_start = Q(**{f"{column}__gte": start})
    before_start = Q(**{f"{column}__lt": start})
    before_end = Q(**{f"{column}__lt": end}) if end else Q()
    after_end = Q(**{f"{column}__gte": end}) if end else Q(pk__in=[])
    return {
        "eq": since_start & before_end,
        "ne": before_start | after_end,
        "ge": since_start,
        "gt": after_end,
        "lt": before_start,
        "le": before_end,
    }[operator]


def moment(text: str) -> dt.datetime:
    """A date-time: with Z or an offset, that instant; without, the organization's local time. In UTC."""
    if not (len(text) > 10 and _is_day(text[:10]) and text[10] in "T "):
        raise ValueError(f"{text!r} is not a date (2026-12-07) or date-time (2026-12-07T18:30:00Z)")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is no date-time on the calendar") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.get_default_timezone())
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range") from None


# ---- the entry point ---------------------------------------------------------------------------


def odata_q(expression: str, fields: Mapping[str, FilterField]) -> Q:
    """The rows an OSDI ``filter`` selects, as a condition; ``ApiInputError("filter", ...)`` naming the
    clause and what is wrong when it cannot be read."""
    if len(expression) > MAX_LENGTH:
        raise _refuse(f"is longer than {MAX_LENGTH:,} characters")
    return _Parser(expression, fields).parse()


def filter_rows(rows: QuerySet[Any], request_filter: str | None, fields: Mapping[str, FilterField]) -> QuerySet[Any]:
    """``rows.filter(odata_q(...))`` when the request has a filter, else the rows as they are."""
    if not request_filter:
        return rows
    return rows.filter(odata_q(request_filter, fields))


# The filter of a collection that has only its own dates (lists, tags...).
DATES: Mapping[str, FilterField] = {
    "created_date": FilterField.datetime("created_at"),
    "modified_date": FilterField.datetime("updated_at"),
}
