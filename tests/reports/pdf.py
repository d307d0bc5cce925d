"""Reading the report PDFs back: their text, and how the Arabic in them was drawn."""

import re
from dataclasses import dataclass
from io import BytesIO

from fontTools.ttLib import TTFont
from pypdf import PdfReader

ARABIC_LETTERS = {chr(c) for c in range(0x0621, 0x064B)}  # hamza … yeh, without the marks


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def pdf_language(content: bytes) -> str:
    """The document language the PDF declares (its catalogue's /Lang, from <html lang>)."""
    return str(PdfReader(BytesIO(content)).trailer["/Root"].get("/Lang", ""))


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """Glyph id → the text it stands for, from a font's ToUnicode CMap."""
    source = cmap.decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", source, re.S):
        for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(glyph, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", source, re.S):
        ranges = re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block)
        for low, high, start in ranges:
            first = bytes.fromhex(start).decode("utf-16-be")
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[glyph] = first[:-1] + chr(ord(first[-1]) + offset)
    return mapping


@dataclass
class EmbeddedFont:
    name: str
    used: dict[int, str]  # glyph id drawn → text (ToUnicode)
    nominal: dict[str, int]  # character → the font's own glyph for it alone (its cmap)


def embedded_fonts(content: bytes) -> list[EmbeddedFont]:
    fonts = {}
    for page in PdfReader(BytesIO(content)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            if name in fonts or "/ToUnicode" not in font:
                continue
            described = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            program = described["/FontDescriptor"].get("/FontFile2")
            nominal = {}
            if program is not None:
                tt = TTFont(BytesIO(program.get_object().get_data()))
                nominal = {chr(cp): tt.getGlyphID(g) for cp, g in tt.getBestCmap().items()}
            fonts[name] = EmbeddedFont(
                name, _to_unicode(font["/ToUnicode"].get_object().get_data()), nominal
            )
    return list(fonts.values())


def arabic_drawing(content: bytes) -> dict:
    """How the Arabic letters of a PDF were drawn: by which fonts, whether any glyph is a
    box (.notdef), and how many glyphs are contextual forms or ligatures.

    WeasyPrint embeds a subset of each font that keeps the glyph ids and keeps, in the
    subset's cmap, the letters whose stand-alone glyph was drawn. A glyph standing for a
    letter but different from that stand-alone glyph is a shaped (initial, medial, final)
    form or a ligature; unshaped text draws only stand-alone glyphs."""
    fonts, boxes, shaped, nominal_letters, letters = [], 0, 0, set(), set()
    for font in embedded_fonts(content):
        boxes += 0 in font.used
        arabic = {g: t for g, t in font.used.items() if ARABIC_LETTERS & set(t)}
        if not arabic:
            continue
        fonts.append(font.name)
        nominal_letters |= ARABIC_LETTERS & set(font.nominal)
        for glyph, text in arabic.items():
            letters |= ARABIC_LETTERS & set(text)
            if len(text) > 1 or font.nominal.get(text) != glyph:
                shaped += 1
    return {
        "fonts": fonts,
        "boxes": boxes,
        "shaped_glyphs": shaped,
        "letters": letters,
        # The subset's cmap is there and names stand-alone Arabic glyphs (so that
        # "shaped" above compares with something).
        "nominal_letters": nominal_letters,
    }
