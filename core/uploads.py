"""Uploaded files that later pages show: checked by content (never by name), photos with a thumbnail.

Shared by monitoring visits, progress reports (receipts, evidence, photos) and in-kind handover records.
"""

import io
import uuid

import filetype
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ApplicationError

IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
DOCUMENT_TYPES = frozenset({"application/pdf", *IMAGE_TYPES})
# Word, Excel and OpenDocument text and spreadsheets, for documents people write rather than scan (deliverables).
OFFICE_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
WRITTEN_DOCUMENT_TYPES = DOCUMENT_TYPES | OFFICE_TYPES
MAX_UPLOAD_SIZE = 10 * 1024 * 1024
THUMBNAIL_SIZE = (320, 320)
# A decompression bomb (a small file that decodes to gigapixels) is refused rather than decoded.
MAX_IMAGE_PIXELS = 40_000_000


def uploaded_name(uploaded_file, default="file"):
    """The uploader's file name without any folder part (kept for display only, never used as a path)."""
    return (uploaded_file.name or "").replace("\\", "/").rsplit("/", 1)[-1][:200] or default


def checked_upload(uploaded_file, allowed=DOCUMENT_TYPES, *, max_size=MAX_UPLOAD_SIZE):
    """The MIME type shown by the file's content if it is in `allowed`; else an ApplicationError saying what to do."""
    if uploaded_file is None or uploaded_file.size == 0:
        raise ApplicationError(_("The file is empty. Choose the file again."), code="empty_file")
    if uploaded_file.size > max_size:
        raise ApplicationError(
            _("The file is larger than %(size)s MB. Make it smaller and upload it again.")
            % {"size": max_size // (1024 * 1024)},
            code="file_too_large",
        )
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed:
        if allowed == IMAGE_TYPES:
            message = _("“%(name)s” is not a photo. Upload JPEG or PNG images (the content is checked, not the name).")
        elif allowed & OFFICE_TYPES:
            message = _(
                "“%(name)s” is not a PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), JPEG or PNG file. "
                "Save it as one of those and upload it (older .doc and .xls files: save them again as .docx or .xlsx)."
            )
        else:
            message = _("“%(name)s” is not a PDF, JPEG or PNG file. Scan or save it as one of those and upload it.")
        raise ApplicationError(message % {"name": uploaded_name(uploaded_file)}, code="file_type_not_allowed")
    if mime in IMAGE_TYPES:
        _check_image(uploaded_file)
    return mime


def _check_image(uploaded_file):
    try:
        with Image.open(uploaded_file) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ApplicationError(
            _("“%(name)s” could not be read as an image. Take or save the photo again and upload it.")
            % {"name": uploaded_name(uploaded_file)},
            code="broken_image",
        ) from error
    finally:
        uploaded_file.seek(0)
    if width * height > MAX_IMAGE_PIXELS:
        raise ApplicationError(
            _("“%(name)s” is too large an image (%(width)s × %(height)s pixels). Reduce it and upload it again.")
            % {"name": uploaded_name(uploaded_file), "width": width, "height": height},
            code="image_too_large",
        )


def thumbnail_of(uploaded_file):
    """A small JPEG of an image (turned upright, without its EXIF data such as GPS), as a ContentFile."""
    uploaded_file.seek(0)
    with Image.open(uploaded_file) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=80)
    uploaded_file.seek(0)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
