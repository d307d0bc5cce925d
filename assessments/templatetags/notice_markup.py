"""``{{ body|notice_sections }}``: a transparency notice's plain text as headed sections.

The team writes the notice as plain text (markup is stripped when it is saved). A line
that starts with ``## `` is a section heading; a line that starts with ``- `` is a list
item; blank lines separate paragraphs. Everything stays text: the template escapes it.
"""

from django import template

register = template.Library()


@register.filter
def notice_sections(body: str) -> list[dict]:
    sections: list[dict] = [{"heading": "", "blocks": []}]

    def blocks() -> list:
        return sections[-1]["blocks"]

    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks().append({"kind": "p", "lines": paragraph.copy()})
            paragraph.clear()

    for raw in (body or "").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            end_paragraph()
            sections.append({"heading": line[3:].strip(), "blocks": []})
        elif line.startswith("- "):
            end_paragraph()
            if not blocks() or blocks()[-1]["kind"] != "ul":
                blocks().append({"kind": "ul", "lines": []})
            blocks()[-1]["lines"].append(line[2:].strip())
        elif not line:
            end_paragraph()
        else:
            paragraph.append(line)
    end_paragraph()
    return [s for s in sections if s["heading"] or s["blocks"]]
