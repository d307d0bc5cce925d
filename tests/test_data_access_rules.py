"""The rules of data access, checked on the source: views read through selectors only,
the selectors read through the ORM, and no module of them grows past ~600 lines."""

import re
from pathlib import Path

import assessments

APP = Path(assessments.__file__).parent


def test_views_call_selectors_not_the_orm():
    offending = [
        f"{path.name}:{number}"
        for path in sorted((APP / "views").glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\b[A-Z]\w*\.objects\b", line)
    ]
    assert offending == []


def test_selectors_read_through_the_orm():
    for path in sorted((APP / "selectors").glob("*.py")):
        text = path.read_text()
        assert "cursor(" not in text and ".raw(" not in text, path.name
        assert len(text.splitlines()) <= 600, path.name


def test_the_second_data_access_layer_is_gone():
    assert not (APP / "rawrows.py").exists()
    uses = [p.name for p in APP.rglob("*.py") if "rawrows" in p.read_text()]
    assert uses == []
