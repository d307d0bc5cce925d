"""Board-written Markdown is rendered, and nothing a writer types can run in a reader's page."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from assessments import rich_text


def test_markdown_is_rendered():
    html = rich_text.render(
        "## Consent\n\n**Always** ask. See [GDPR](https://gdpr-info.eu/art-7-gdpr/)."
    )
    assert "<h2>Consent</h2>" in html
    assert "<strong>Always</strong>" in html
    assert 'href="https://gdpr-info.eu/art-7-gdpr/"' in html
    assert "noopener" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<iframe src=https://example.com></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_nothing_a_writer_types_can_run(hostile):
    elements = _elements(rich_text.render(hostile))
    # What survives is text (escaped) or an allowed element with harmless attributes.
    for tag, attrs in elements:
        assert tag in rich_text.ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").strip().lower().startswith(("javascript:", "data:"))
            assert "url(" not in (value or "")


def _elements(html: str) -> list[tuple[str, list]]:
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_arabic_and_control_characters_survive_as_text():
    html = rich_text.render("مرحبا \u202e بالعالم \x00 end")
    assert "مرحبا" in html and "بالعالم" in html


def test_template_filter():
    out = Template("{% load rich_text %}{{ body|markdown }}").render(
        Context({"body": "*hi* <b>x</b>"})
    )
    assert "<em>hi</em>" in out
    assert "<b>" not in out
