"""Script questions and answers are checked, and errors name the question."""

from __future__ import annotations

import pytest

from groundswell.field.control import ControlGroupError, draw_control_group
from groundswell.field.scripts import ScriptError, clean_answers, clean_questions

QUESTIONS = clean_questions([
    {"key": "support", "kind": "support", "label": "Will you support Dana Reyes?"},
    {"key": "m4a", "kind": "issue", "label": "Medicare for All?", "choices": ["for", "against", "unsure"]},
    {"key": "pledge", "kind": "pledge", "label": "Will you pledge to vote?"},
    {"key": "volunteer", "kind": "volunteer", "label": "Will you volunteer?"},
])  # fmt: skip


def test_answers_within_choices_are_kept_and_blanks_dropped():
    answers = clean_answers(QUESTIONS, {"support": "2", "m4a": "for", "pledge": "yes", "volunteer": ""})
    assert answers == {"support": 2, "m4a": "for", "pledge": "yes"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"support": 6}, "answers.support"),
        ({"support": "strong"}, "answers.support"),
        ({"m4a": "maybe"}, "answers.m4a"),
        ({"pledge": "maybe"}, "answers.pledge"),
        ({"shoe_size": 9}, "no such question shoe_size"),
    ],
)
def test_answers_outside_the_script_are_refused_naming_the_question(answers, message):
    with pytest.raises(ScriptError, match=message):
        clean_answers(QUESTIONS, answers)


def test_questions_are_checked_naming_the_question():
    with pytest.raises(ScriptError, match=r"question 2 .*m4a.*two choices"):
        clean_questions([QUESTIONS[0], {"key": "m4a", "kind": "issue", "label": "M4A?", "choices": ["for"]}])
    with pytest.raises(ScriptError, match="question 1: kind"):
        clean_questions([{"key": "x", "kind": "poll", "label": "?"}])


def test_control_group_is_reproducible_by_seed_and_takes_the_share():
    ids = [f"V{i:04d}" for i in range(1000)]
    first = draw_control_group(ids, 0.1, seed=42)
    assert len(first) == 100 and set(first) <= set(ids)
    assert draw_control_group(reversed(ids), 0.1, seed=42) == first
    assert draw_control_group(ids, 0.1, seed=43) != first
    with pytest.raises(ControlGroupError, match="share"):
        draw_control_group(ids, 1.5, seed=1)
