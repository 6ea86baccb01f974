"""Documents uploaded with an application: checked by content and size, stored privately."""

import filetype
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from grants.models import (
    ApplicationDocument,
    DocumentType,
)
from grants.services.drafts import locked_for_writing, record_change

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_TOTAL_SIZE = 50 * 1024 * 1024
MIME_TYPES = {
    DocumentType.PDF: {"application/pdf"},
    DocumentType.IMAGE: {"image/jpeg", "image/png"},
    DocumentType.DOCX: {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    DocumentType.XLSX: {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}


def _detected_type(uploaded_file, allowed_types):
    """The document type the file's content shows, if it is one of `allowed_types`."""
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    for document_type in allowed_types:
        if mime in MIME_TYPES.get(document_type, set()):
            return mime
    return None


def checked_file_type(application, uploaded_file, allowed_types, *, replaced=None):
    """The MIME type of an acceptable upload; otherwise an ApplicationError that says what to do."""
    if uploaded_file.size == 0:
        raise ApplicationError(_("The file is empty. Choose the file again; if it still fails, scan it again."))
    if uploaded_file.size > MAX_FILE_SIZE:
        raise ApplicationError(
            _("The file is larger than 10 MB. Reduce it (for example scan at a lower resolution) and upload it again."),
            code="file_too_large",
        )
    others = sum(application.documents.exclude(pk=getattr(replaced, "pk", None)).values_list("size", flat=True))
    if others + uploaded_file.size > MAX_TOTAL_SIZE:
        raise ApplicationError(
            _("All documents of an application together may not pass 50 MB. Reduce the larger files first."),
            code="application_too_large",
        )
    mime = _detected_type(uploaded_file, allowed_types)
    if mime is None:
        labels = dict(DocumentType.choices)
        raise ApplicationError(
            _("This file is not of an allowed type. Upload %(types)s (the content is checked, not the file name).")
            % {"types": ", ".join(str(labels[t]) for t in allowed_types)},
            code="file_type_not_allowed",
        )
    return mime


def stored_document(*, actor, application, call_document, uploaded_file, mime):
    """Save the file under a random name; the applicant's file name is kept only as `original_name`."""
    name = uploaded_file.name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "document"
    document = ApplicationDocument(
        application=application,
        call_document=call_document,
        original_name=name,
        content_type=mime,
        size=uploaded_file.size,
        uploaded_by=actor,
    )
    document.file.save(name, uploaded_file, save=False)
    document.save()
    return document


@transaction.atomic
def application_document_upload(*, actor, application, call_document, uploaded_file):
    """Store (or replace) the file for one required document, after checking its content and size."""
    application = locked_for_writing(application, actor=actor, section="documents")
    if call_document.call_id != application.call_id:
        raise ApplicationError(_("This document is not asked for by this call."), code="wrong_document")
    replaced = application.documents.filter(call_document=call_document).first()
    mime = checked_file_type(application, uploaded_file, call_document.allowed_types, replaced=replaced)
    if replaced:
        replaced.file.delete(save=False)
        replaced.delete()
    document = stored_document(
        actor=actor, application=application, call_document=call_document, uploaded_file=uploaded_file, mime=mime
    )
    record_change(application)
    audit_record(
        actor=actor,
        action="grants.application.document_uploaded",
        target=application,
        data={"document": call_document.pk, "name": document.original_name, "replaced": bool(replaced)},
    )
    return document
