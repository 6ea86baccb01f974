"""Staff pages importing a training's participants and attendance from an XLSX sheet, and exporting its participants.

Upload → preview (nothing saved; the sheet is kept in private storage under a random name, the session holds only
that name and the file's hash) → confirm (one transaction; the stored sheet is consumed, so a second confirm does
nothing). Everyone whose role does not work with trainings gets 404.
"""

import hashlib
import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.storage import private_storage
from trainings import imports
from trainings.models import TrainingEvent
from trainings.participant_export import participant_export_xlsx
from trainings.permissions import can_manage_trainings, can_view_trainings

MAX_SHEET_SIZE = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOLDER = imports.SHEET_FOLDER


class SheetForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("Participant sheet (XLSX)"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) laid out like the template, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if sheet.size > MAX_SHEET_SIZE:
            raise ValidationError(_("The file is larger than 5 MB; split the sheet and upload the parts."))
        return sheet


def _session_key(event):
    return f"training_import_{event.pk}"


def _attachment(content, filename):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportBase(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_trainings)

    def get_event(self):
        return get_object_or_404(TrainingEvent.objects.select_related("course", "municipality"), pk=self.kwargs["pk"])

    def stored(self, event, *, consume=False):
        """The stored sheet's bytes if the session holds one for this event and it is intact; else None."""
        ticket = self.request.session.get(_session_key(event))
        if consume:
            self.request.session.pop(_session_key(event), None)
        if not ticket or not private_storage.exists(ticket["name"]):
            return None
        with private_storage.open(ticket["name"], "rb") as handle:
            content = handle.read()
        if consume:
            private_storage.delete(ticket["name"])
        if hashlib.sha256(content).hexdigest() != ticket["sha256"]:
            return None
        return content

    def forget(self, event):
        ticket = self.request.session.pop(_session_key(event), None)
        if ticket and private_storage.exists(ticket["name"]):
            private_storage.delete(ticket["name"])


class ImportUploadView(ImportBase):
    def get(self, request, pk):
        return self.page(self.get_event(), SheetForm())

    def post(self, request, pk):
        event = self.get_event()
        form = SheetForm(request.POST, request.FILES)
        if form.is_valid():
            content = form.cleaned_data["sheet"].read()
            try:
                imports.sheet_read(content)
            except ApplicationError as error:
                form.add_error("sheet", error.message)
            else:
                self.forget(event)
                name = private_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.xlsx", ContentFile(content))
                request.session[_session_key(event)] = {
                    "name": name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
                return redirect("staff:training_import_preview", pk=event.pk)
        return self.page(event, form, status=400)

    def page(self, event, form, status=200):
        context = {
            "event": event,
            "form": form,
            "columns": [str(imports.COLUMNS[key][0]) for key in imports.REQUIRED],
            "optional_columns": [str(imports.COLUMNS[key][0]) for key in imports.OPTIONAL],
        }
        return render(
            request=self.request, template_name="trainings/import_upload.html", context=context, status=status
        )


class ImportPreviewView(ImportBase):
    def get(self, request, pk):
        event = self.get_event()
        content = self.stored(event)
        if content is None:
            messages.info(request, _("There is no sheet waiting to be imported; upload one."))
            return redirect("staff:training_import", pk=event.pk)
        try:
            preview = imports.import_preview(event=event, sheet=imports.sheet_read(content))
        except ApplicationError as error:
            self.forget(event)
            messages.error(request, error.message)
            return redirect("staff:training_import", pk=event.pk)
        return render(request, "trainings/import_preview.html", {"event": event, "preview": preview})

    def post(self, request, pk):
        event = self.get_event()
        content = self.stored(event, consume=True)
        if content is None:
            messages.info(
                request,
                _("This sheet was imported or discarded already; nothing was done again. Upload a sheet to import."),
            )
            return redirect("staff:training_event_detail", pk=event.pk)
        if "discard" in request.POST:
            messages.info(request, _("The sheet was discarded; nothing was saved."))
            return redirect("staff:training_event_detail", pk=event.pk)
        try:
            counts = imports.import_apply(actor=request.user, event=event, content=content)
        except (ApplicationError, ValidationError) as error:
            text = error.message if isinstance(error, ApplicationError) else "; ".join(error.messages)
            messages.error(
                request,
                _("Nothing was imported: %(reason)s Correct the sheet and upload it again.") % {"reason": text},
            )
            return redirect("staff:training_import", pk=event.pk)
        messages.success(
            request,
            _(
                "Imported %(rows)s rows: %(created)s new people, %(matched)s already in the registry, "
                "%(enrolled)s enrolled, attendance of %(sessions)s sessions recorded."
            )
            % {
                "rows": counts["rows"],
                "created": counts["people_created"],
                "matched": counts["people_matched"],
                "enrolled": counts["enrolled"],
                "sessions": counts["sessions"],
            },
        )
        return redirect("staff:training_event_detail", pk=event.pk)


class ImportTemplateView(ImportBase):
    def get(self, request, pk):
        event = self.get_event()
        return _attachment(imports.import_template(event=event), f"participants-{event.pk}-template.xlsx")


class ParticipantExportView(PermissionRequiredMixin, View):
    """Synchronous: bounded by the event's capacity (see trainings.participant_export)."""

    permission = staticmethod(can_view_trainings)

    def get(self, request, pk):
        event = get_object_or_404(TrainingEvent.objects.select_related("course"), pk=pk)
        content, _count = participant_export_xlsx(event=event, user=request.user)
        return _attachment(content, f"participants-{event.pk}.xlsx")
