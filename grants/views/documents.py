from django.http import FileResponse, Http404

from grants.selectors import application_for_user

# Types a browser may show in the page (`?inline=1`): recognised by content at upload, never HTML or script.
PREVIEWABLE = {"application/pdf", "image/jpeg", "image/png"}


def application_document_download(request, pk, document_pk):
    """An uploaded document, only to those who may see its application (404 for everyone else).

    Downloaded as an attachment; images and PDFs can be previewed inline with `?inline=1`.
    """
    application = application_for_user(user=request.user, pk=pk)
    document = next((d for d in application.documents.all() if d.pk == int(document_pk)), None)
    if document is None:
        raise Http404
    inline = request.GET.get("inline") == "1" and document.content_type in PREVIEWABLE
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
