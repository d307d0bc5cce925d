"""Checks on uploaded evidence files: size, type judged from the content, and (when
CLAMAV_ADDRESS is set) a malware scan."""

import logging
import zipfile

from django.utils.translation import gettext as _

from . import malware
from .errors import ServiceError

logger = logging.getLogger(__name__)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# Allowed types, each recognised from the file's first bytes or structure.
PDF, PNG, JPEG, DOCX, XLSX, PPTX, TEXT = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",
)
_OOXML_MAIN = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}


def sniff_content_type(upload) -> str | None:
    """The content type of an uploaded file from its content, or None if not allowed."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for main, content_type in _OOXML_MAIN.items():
                if main in names:
                    return content_type
        return None
    sample = upload.read(64 * 1024)
    upload.seek(0)
    if b"\x00" in sample:
        return None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return None
    return TEXT


def check_upload(upload) -> str:
    """The verified content type, or ServiceError with a clear reason."""
    if upload.size == 0:
        raise ServiceError(_("The file is empty."), field="file")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ServiceError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            field="file",
        )
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ServiceError(
            _(
                "This type of file is not accepted. Upload a PDF, Word, Excel or PowerPoint "
                "document, a PNG or JPEG image, or plain text / CSV."
            ),
            field="file",
        )
    _scan(upload)
    return content_type


def _scan(upload) -> None:
    """Refuse the file unless clamd (when configured) says it is clean; fail closed."""
    if not malware.enabled():
        return
    try:
        result = malware.scan(upload)
    except malware.ScanError as exc:
        logger.warning("upload refused: the virus scanner gave no verdict (%s)", exc)
        raise ServiceError(
            _("The file could not be checked for viruses right now; try again later."),
            field="file",
        ) from exc
    if not result.clean:
        logger.warning("upload refused: the virus scanner found %s", result.signature)
        raise ServiceError(_("This file was refused by the virus scanner."), field="file")
