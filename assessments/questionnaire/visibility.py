"""Which questions are visible for an intake and a set of answers."""

from __future__ import annotations

from typing import Any

from .definition import Definition


def evaluate(condition: Any, intake: dict, answers: dict) -> bool:
    """``answers`` must hold only answers of questions that are visible so far."""
    if condition is None:
        return True
    if "all" in condition:
        return all(evaluate(c, intake, answers) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, intake, answers) for c in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], intake, answers)
    if "intake" in condition:
        value = intake.get(condition["intake"])
        if "equals" in condition:
            return bool(value) is condition["equals"]
        return bool(set(value or ()) & set(condition["any_of"]))
    if "answer" in condition:
        value = answers.get(condition["answer"])
        if value is None:
            return False
        chosen = set(value) if isinstance(value, list) else {value}
        return bool(chosen & {str(v) for v in condition["any_of"]})
    return False


def visible_codes(definition: Definition, intake: dict, answers: dict) -> list[str]:
    """Codes of the visible questions, in order. A condition only sees answers of
    questions that are themselves visible, so a hidden answer never reveals anything."""
    visible: list[str] = []
    seen: dict[str, Any] = {}
    for section in definition.sections:
        if not evaluate(section.condition, intake, seen):
            continue
        for question in section.questions:
            if evaluate(question.condition, intake, seen):
                visible.append(question.code)
                if answers.get(question.code) is not None:
                    seen[question.code] = answers[question.code]
    return visible
