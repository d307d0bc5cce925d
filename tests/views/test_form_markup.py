"""``crispy_static``: an empty form's markup is kept per form and language; a bound form
(the user's input, errors) is always rendered afresh."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.utils import translation

from assessments.forms import (
    CommentForm,
    FeedbackForm,
    OverruleForm,
    RespondForm,
    SignForm,
    VoteForm,
)
from assessments.templatetags import form_markup

EMPTY_FORMS = [
    lambda: FeedbackForm(),
    lambda: VoteForm(),
    lambda: RespondForm(),
    lambda: SignForm(),
    lambda: OverruleForm(),
    lambda: CommentForm(sections=[("privacy", "Privacy"), ("fairness", "Fairness")]),
]


@pytest.fixture(autouse=True)
def _empty_store():
    form_markup._render.cache_clear()
    yield
    form_markup._render.cache_clear()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("make", EMPTY_FORMS)
def test_kept_markup_is_what_crispy_renders(make, language):
    with translation.override(language):
        first = form_markup.crispy_static(make())
        again = form_markup.crispy_static(make())
        assert first == again == as_crispy_form(make())
    assert form_markup._render.cache_info().currsize == 1


def test_language_and_choices_are_part_of_the_key():
    with translation.override("en"):
        english = form_markup.crispy_static(FeedbackForm())
    with translation.override("ar"):
        arabic = form_markup.crispy_static(FeedbackForm())
    assert english != arabic
    assert as_crispy_form(FeedbackForm()) in (english, arabic)
    one = form_markup.crispy_static(CommentForm(sections=[("privacy", "Privacy")]))
    other = form_markup.crispy_static(CommentForm(sections=[("fairness", "Fairness")]))
    assert "Privacy" in one and "Privacy" not in other and "Fairness" in other


def test_a_bound_form_keeps_what_the_user_typed_and_its_errors():
    form_markup.crispy_static(FeedbackForm())
    bound = FeedbackForm(data={"category": "privacy", "severity": "", "text": "My <words>"})
    assert not bound.is_valid()
    html = form_markup.crispy_static(bound)
    assert "My &lt;words&gt;" in html and "invalid-feedback" in html
    assert html == as_crispy_form(bound)
    assert form_markup._render.cache_info().currsize == 1  # the bound form was not kept
