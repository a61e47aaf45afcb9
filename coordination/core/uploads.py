"""Uploaded file checks (handover evidence, project documents): size limit, extension
allow-list and content sniffing.

The extension a browser sends and its Content-Type are the uploader's claims; the first
bytes of the file are the truth. A file whose bytes do not match its extension (an
executable renamed `.pdf`) is refused.
"""

from __future__ import annotations

import codecs
import os
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = (b"%PDF-",)
PNG = (b"\x89PNG\r\n\x1a\n",)
JPEG = (b"\xff\xd8\xff",)
GIF = (b"GIF87a", b"GIF89a")
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc / .xls
TEXT = ()  # checked by decoding, not by a signature

# extension -> (accepted leading signatures, member a zip-based Office file must contain)
ALLOWED: dict[str, tuple[tuple[bytes, ...], str]] = {
    "pdf": (PDF, ""),
    "png": (PNG, ""),
    "jpg": (JPEG, ""),
    "jpeg": (JPEG, ""),
    "gif": (GIF, ""),
    "zip": (ZIP, ""),
    "docx": (ZIP, "word/"),
    "xlsx": (ZIP, "xl/"),
    "pptx": (ZIP, "ppt/"),
    "doc": (OLE, ""),
    "xls": (OLE, ""),
    "txt": (TEXT, ""),
    "csv": (TEXT, ""),
}
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")


class UploadTooLarge(ValidationError):
    """The file is larger than settings.UPLOAD_MAX_BYTES (the API answers 413)."""


def allowed_extensions() -> list[str]:
    return sorted(ALLOWED)


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _zip_has(upload, prefix: str) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            return any(name.startswith(prefix) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_upload(upload) -> str:
    """Validate an uploaded file; return a safe storage name (random, original extension).

    Raises UploadTooLarge for an oversized file and ValidationError({"file": ...}) for a
    type that is not allowed or whose content does not match its extension.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadTooLarge(
            {"file": [_("文件过大：上限为 %(limit)s MB。") % {"limit": round(limit / 1048576, 1)}]}
        )
    if not upload.size:
        raise ValidationError({"file": [_("文件为空。")]})
    ext = _extension(upload.name)
    if ext not in ALLOWED:
        raise ValidationError(
            {
                "file": [
                    _("不允许的文件类型“%(ext)s”。允许：%(allowed)s")
                    % {"ext": ext or "?", "allowed": ", ".join(allowed_extensions())}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    signatures, zip_member = ALLOWED[ext]
    mismatch = ValidationError(
        {"file": [_("文件内容与扩展名“.%(ext)s”不符，已拒绝。") % {"ext": ext}]}
    )
    if signatures:
        if not any(head.startswith(sig) for sig in signatures):
            raise mismatch
        if zip_member and not _zip_has(upload, zip_member):
            raise mismatch
    else:
        if any(head.startswith(sig) for sig in EXECUTABLE_SIGNATURES) or not _looks_like_text(head):
            raise mismatch
    return f"{uuid.uuid4().hex}.{ext}"


# The Content-Type a stored file is served with: from its checked extension, never from the
# uploader's claim. Only these open in the browser (inline); everything else downloads.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
PREVIEWABLE = frozenset({"pdf", "png", "jpg", "jpeg", "gif"})


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(_extension(name), "application/octet-stream")


def previewable(name: str) -> bool:
    return _extension(name) in PREVIEWABLE
