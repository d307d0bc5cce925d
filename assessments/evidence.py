"""Checks on uploaded evidence files: size, type judged from the content, and (when
CLAMAV_ADDRESS is set) a malware scan."""

import logging
import struct
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from . import malware
from .errors import ServiceError

logger = logging.getLogger(__name__)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MB = 1024 * 1024

# Allowed types, each recognised from the file's first bytes or structure.
PDF, PNG, JPEG, DOCX, XLSX, PPTX, TEXT, MP4, MOV = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",
    "video/mp4",
    "video/quicktime",
)
VIDEO = frozenset({MP4, MOV})
_OOXML_MAIN = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}

# ISO base media file format (ISO/IEC 14496-12) brands in the leading `ftyp` box. QuickTime
# says "qt  "; MP4 video says one of the ISO, MPEG-4 or AVC brands. HEIF/AVIF still images and
# M4A/M4B audio share the container but are not accepted, whatever their compatible brands.
_QUICKTIME_BRAND = b"qt  "
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9"}
    | {b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv"}
)
_NOT_VIDEO_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
    | {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
)
# A box type is four characters; encoders add their own top-level boxes (readers skip those
# they do not know), so any printable type is allowed while the sizes chain to the file's end.
_BOX_TYPE_BYTES = frozenset(range(0x20, 0x7F))
_VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".qt")
_MAX_TOP_LEVEL_BOXES = 100_000  # bounds the walk over a hostile file's box headers


def sniff_content_type(upload) -> str | None:
    """The content type of an uploaded file from its content, or None if not allowed."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head[4:8] == b"ftyp" and (movie := _movie_type(upload)):
        return movie
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


def _movie_type(upload) -> str | None:
    """MP4 or QuickTime from the `ftyp` box's major and compatible brands, or None."""
    upload.seek(0)
    box = upload.read(256)
    upload.seek(0)
    (size,) = struct.unpack(">I", box[:4])
    # A brand list fits in the bytes read; its length is a whole number of 4-byte brands.
    if size < 16 or size > len(box) or size % 4:
        return None
    major = box[8:12]
    brands = {major} | {box[at : at + 4] for at in range(16, size, 4)}
    if major in _NOT_VIDEO_BRANDS:
        return None
    if _QUICKTIME_BRAND in brands:
        return MOV
    if brands & _MP4_BRANDS:
        return MP4
    return None


def movie_is_complete(upload) -> bool:
    """Whether the file is a whole movie: its top-level boxes follow each other to the end of
    the file (reading only their 8- or 16-byte headers) and one of them is the `moov` box that
    describes the tracks. A file cut short, or an `ftyp` box with nothing after it, is not."""
    end = upload.size
    at, seen_moov = 0, False
    try:
        for _index in range(_MAX_TOP_LEVEL_BOXES):
            if at == end:
                return seen_moov
            upload.seek(at)
            header = upload.read(16)
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header[:8])
            if not set(kind) <= _BOX_TYPE_BYTES:
                return False
            if size == 1:  # a 64-bit size follows the type
                if len(header) < 16:
                    return False
                (size,) = struct.unpack(">Q", header[8:16])
                if size < 16:
                    return False
            elif size == 0:  # the box runs to the end of the file
                size = end - at
            elif size < 8:
                return False
            seen_moov = seen_moov or kind == b"moov"
            at += size
            if at > end:
                return False
        return False
    finally:
        upload.seek(0)


def _named_as_video(name: str | None) -> bool:
    return (name or "").lower().rstrip(". ").endswith(_VIDEO_SUFFIXES)


def video_limit_bytes() -> int:
    return settings.EVIDENCE_MAX_VIDEO_MB * MB


def check_upload(upload, *, video: bool = False) -> str:
    """The verified content type, or ServiceError with a clear reason. ``video``: MP4 and
    QuickTime movies are accepted too (campaign evidence and creative, up to
    EVIDENCE_MAX_VIDEO_MB); elsewhere only documents, images and text."""
    if upload.size == 0:
        raise ServiceError(_("The file is empty."), field="file")
    largest = max(MAX_EVIDENCE_BYTES, video_limit_bytes()) if video else MAX_EVIDENCE_BYTES
    if upload.size > largest:
        raise ServiceError(_too_large(largest), field="file")
    content_type = sniff_content_type(upload)
    if content_type in VIDEO and not video:
        content_type = None
    if video and content_type not in VIDEO and _named_as_video(upload.name):
        # The name only ever refuses: text or a document named "spot.mp4" would otherwise be
        # kept and offered back under a name that opens it in a video player.
        raise ServiceError(
            _("This file is named as a video but is not an MP4 or MOV video."), field="file"
        )
    if content_type is None:
        raise ServiceError(_not_accepted(video=video), field="file")
    limit = video_limit_bytes() if content_type in VIDEO else MAX_EVIDENCE_BYTES
    if upload.size > limit:
        raise ServiceError(_too_large(limit), field="file")
    if content_type in VIDEO and not movie_is_complete(upload):
        raise ServiceError(
            _("This video file is incomplete or damaged; export it again and upload it."),
            field="file",
        )
    _scan(upload)
    return content_type


def _too_large(limit: int) -> str:
    return _("The file is larger than %(limit)s MB.") % {"limit": limit // MB}


def _not_accepted(*, video: bool) -> str:
    if video:
        return _(
            "This type of file is not accepted. Upload a PDF, Word, Excel or PowerPoint "
            "document, a PNG or JPEG image, plain text / CSV, or an MP4 or MOV video."
        )
    return _(
        "This type of file is not accepted. Upload a PDF, Word, Excel or PowerPoint "
        "document, a PNG or JPEG image, or plain text / CSV."
    )


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
