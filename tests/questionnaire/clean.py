"""A clean campaign for any definition: the least risky answer and the strongest safeguard
for every question the intake shows (used by the v2 tests and the calibration builder)."""

from assessments.questionnaire import Definition, visible_codes
from assessments.questionnaire.definition import INTAKE_FIELDS

NO_SCOPE = {name: ([] if values is not None else False) for name, values in INTAKE_FIELDS.items()}


def clean_answer(question):
    if question.type == "text":
        return None
    if question.type == "number":
        return int(question.min or 0)
    if question.mitigation:
        if question.type == "multiple":
            return [o.value for o in question.options if not o.exclusive and o.weight > 0]
        return max(question.options, key=lambda o: o.weight).value
    if question.type == "multiple":
        exclusive = [o for o in question.options if o.exclusive]
        return [min(exclusive or question.options, key=lambda o: o.weight).value]
    return min(question.options, key=lambda o: o.weight).value


def clean_answers(definition: Definition, intake: dict, answers: dict | None = None) -> dict:
    """Clean answers for the visible questions, keeping ``answers`` where given."""
    chosen = dict(answers or {})
    while True:
        visible = visible_codes(definition, intake, chosen)
        missing = [
            code
            for code in visible
            if code not in chosen and clean_answer(definition.questions[code]) is not None
        ]
        if not missing:
            return {code: chosen[code] for code in visible if code in chosen}
        for code in missing:
            chosen[code] = clean_answer(definition.questions[code])
