"""Answers to an event's questions (text, single choice, multiple choice, checkbox;
required or optional), checked against them."""

from __future__ import annotations

from typing import Any

from services.registration.records import Question
from shared.refusals import VALIDATION_FAILED, FieldError

MAX_TEXT_ANSWER = 2000


def check_answers(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, normalised, or a refusal naming every wrong one (``answers.<key>``)."""
    errors: list[FieldError] = []
    known = {q.key: q for q in questions}
    for key in answers:
        if key not in known:
            errors.append(FieldError(field=f"answers.{key}", message="there is no such question"))
    clean: dict[str, Any] = {}
    for q in questions:
        value = answers.get(q.key)
        problem = None
        if value is None or value == "" or value == [] or (q.kind == "checkbox" and value is False):
            if q.required:
                problem = "an answer is required"
            elif q.kind == "checkbox":
                clean[q.key] = False
        elif q.kind == "text":
            if not isinstance(value, str) or len(value) > MAX_TEXT_ANSWER:
                problem = f"must be text of at most {MAX_TEXT_ANSWER} characters"
            elif any(ord(c) < 32 and c not in "\n\t" for c in value):
                problem = "must not contain control characters"
            else:
                clean[q.key] = value
        elif q.kind == "checkbox":
            if value is not True:
                problem = "must be true or false"
            else:
                clean[q.key] = True
        else:
            choices = {o.value for o in q.options}
            picked = [value] if q.kind == "single" else value
            if (
                not isinstance(picked, list)
                or not all(isinstance(v, str) and v in choices for v in picked)
                or len(set(picked)) != len(picked)
            ):
                what = "one" if q.kind == "single" else "a list"
                problem = f"must be {what} of: {', '.join(sorted(choices))}"
            else:
                clean[q.key] = value
        if problem:
            errors.append(FieldError(field=f"answers.{q.key}", message=problem))
    if errors:
        raise VALIDATION_FAILED(errors=errors)
    return clean
