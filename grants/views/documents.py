from django.http import FileResponse, Http404

from grants.selectors import application_for_user


def application_document_download(request, pk, document_pk):
    """An uploaded document, only to those who may see its application (404 for everyone else)."""
    application = application_for_user(user=request.user, pk=pk)
    document = next((d for d in application.documents.all() if d.pk == int(document_pk)), None)
    if document is None:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
