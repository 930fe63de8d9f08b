"""Script questions and the answers canvassers record, checked as plain data (no Django)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

KINDS = ("support", "issue", "pledge", "volunteer")
YES_NO = ("yes", "no")
YES_NO_MAYBE = ("yes", "no", "maybe")
SUPPORT_SCALE = (1, 2, 3, 4, 5)
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ScriptError(ValueError):
    """A question or an answer that does not fit; the message names the question."""


def choices_of(question: Mapping[str, Any]) -> tuple[Any, ...]:
    kind = question["kind"]
    if kind == "support":
        return SUPPORT_SCALE
    if kind == "pledge":
        return YES_NO
    if kind == "volunteer":
        return YES_NO_MAYBE
    return tuple(question.get("choices") or ())


def clean_questions(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Questions as stored: key, kind, label and (for issue questions) choices; errors name the question."""
    cleaned: list[dict[str, Any]] = []
    for number, item in enumerate(raw, start=1):
        key, kind, label = str(item.get("key", "")).strip(), item.get("kind"), str(item.get("label", "")).strip()
        where = f"question {number}"
        if not KEY.match(key):
            raise ScriptError(f"{where}: key must be lower-case letters, digits and _ (got {key!r})")
        if key in {q["key"] for q in cleaned}:
            raise ScriptError(f"{where}: key {key!r} is used twice")
        if kind not in KINDS:
            raise ScriptError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not label:
            raise ScriptError(f"{where}: the question needs a label")
        question: dict[str, Any] = {"key": key, "kind": kind, "label": label}
        if kind == "issue":
            choices = [str(c).strip() for c in item.get("choices") or () if str(c).strip()]
            if len(choices) < 2:
                raise ScriptError(f"{where} ({key}): an issue question needs at least two choices")
            question["choices"] = choices
        cleaned.append(question)
    return cleaned


def clean_answers(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers keyed by question; every question optional, every answer one of its choices."""
    by_key = {q["key"]: q for q in questions}
    if unknown := sorted(set(answers) - set(by_key)):
        raise ScriptError(f"answers: no such question {', '.join(unknown)}")
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        if value is None or value == "":
            continue
        question = by_key[key]
        allowed = choices_of(question)
        if question["kind"] == "support":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ScriptError(f"answers.{key}: support is a whole number from 1 to 5") from None
        if value not in allowed:
            raise ScriptError(f"answers.{key}: {value!r} is not one of {', '.join(map(str, allowed))}")
        cleaned[key] = value
    return cleaned
