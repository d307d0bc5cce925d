"""Helpers shared by the ethics training tests (issue #21)."""

from datetime import datetime

from django.db import transaction

from assessments import workflow
from assessments.models import CompletionMethod, TrainingCompletion, TrainingModule

QUIZ = [
    {
        "question": {"en": "Which can be a proxy?", "ar": "أيٌّ مما يلي قد يكون مؤشراً بديلاً؟"},
        "options": [
            {"en": "Postcode", "ar": "الرمز البريدي"},
            {"en": "First name", "ar": "الاسم الأول"},
            {"en": "Budget", "ar": "الميزانية"},
        ],
        "correct": [0, 1],
    },
    {
        "question": {"en": "Write down what you checked?", "ar": "هل تدوّن ما تحققت منه؟"},
        "options": [{"en": "Yes", "ar": "نعم"}, {"en": "No", "ar": "لا"}],
        "correct": [0],
    },
]


def make_module(roles=("marketer",), **fields) -> TrainingModule:
    values = {
        "title_en": "Privacy and consent",
        "title_ar": "الخصوصية والموافقة",
        "content_en": "Read **this**.",
        "content_ar": "اقرأ **هذا**.",
        "required_roles": list(roles),
        "validity_months": 12,
        **fields,
    }
    return TrainingModule.objects.create(**values)


def complete(person, module, completed_at: datetime) -> TrainingCompletion:
    """A completion row (the services are tested on their own; here only the facts)."""
    with transaction.atomic():
        return TrainingCompletion.objects.create(
            person=person,
            module=module,
            completed_at=completed_at,
            expires_at=workflow.add_months(completed_at, module.validity_months),
            method=CompletionMethod.RECORDED,
        )
