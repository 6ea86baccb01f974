"""A manager asks for a call's whole selection record (one PDF for an audit) and downloads it."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.models import Call, DocumentStatus
from grants.models.applications import private_storage
from grants.permissions import can_export_selection_record
from grants.services import selection_record


class SelectionRecordView(PermissionRequiredMixin, View):
    """A manager asks for the call's whole selection record (one PDF for an audit) and downloads it."""

    permission = staticmethod(can_export_selection_record)

    def get_call(self):
        return get_object_or_404(Call, code=self.kwargs["code"])

    def get(self, request, code):
        call = self.get_call()
        state = selection_record.selection_record_state(call)
        context = {"call": call, "state": state, "in_progress": state["status"] == DocumentStatus.QUEUED}
        return render(request, "grants/staff/grant_selection_record.html", context)

    def post(self, request, code):
        call = self.get_call()
        try:
            selection_record.selection_record_request(actor=request.user, call=call)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("staff:selection_record", code=call.code)


class SelectionRecordDownloadView(SelectionRecordView):
    def get(self, request, code):
        call = self.get_call()
        name = selection_record.selection_record_latest(call)
        if name is None:
            raise Http404
        response = FileResponse(
            private_storage.open(name, "rb"),
            as_attachment=True,
            filename=f"selection-record-{get_valid_filename(call.code)}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def post(self, request, code):
        raise Http404
