"""Text that cannot be stored, and file names that cannot be trusted (pure Python).

PostgreSQL refuses a NUL character in text and JSON, and no encoding holds a lone UTF-16
surrogate (JSON's "\\ud800" escape makes one). Both come only from hostile or broken
clients, so free text holding them is refused with a clear message before it reaches the
database, not turned into a server error."""

import re
import unicodedata

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """``text`` holds a NUL character or a lone surrogate."""
    return bool(_UNSTORABLE.search(text))


def upload_name(name: str | None, default: str) -> str:
    """An uploaded file's name as we keep and offer it back: its last path part, without
    control or formatting characters (a right-to-left override in "invoice‮fdp.exe" makes
    an .exe look like a PDF), at most 255 characters; ``default`` when nothing is left."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return printable(name).strip()[:255] or default


def printable(text: str) -> str:
    """``text`` without control, formatting (bidi overrides), surrogate, private-use or
    unassigned characters: for text read from an uploaded file's content."""
    return "".join(
        ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
