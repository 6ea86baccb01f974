"""Staff intake (/<lang>/staff/applications/): the list of submitted applications, one application, clarification
requests, and exports of the list. Everything here answers 404 to people who may not see applications.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.choices import Community, Component
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.selectors import audit_entries_for
from grants.display import application_display, labelled_timeline
from grants.forms.staff_applications import (
    ApplicationFilterForm,
    ClarificationRequestForm,
    ExportFormatForm,
    clean_sort,
    order_applications,
)
from grants.models import ApplicationExport, ApplicationStatus, Call, ExportFormat, ExportStatus
from grants.permissions import can_list_applications, can_record_decision, can_request_clarification, can_screen
from grants.selectors import application_for_user, applications_for_staff
from grants.selectors_reviews import review_summary
from grants.services.applications import budget_totals
from grants.services.clarifications import application_request_clarification
from grants.services.exports import application_export_request, application_export_retry, can_use_export
from grants.views.documents import application_document_download
from municipalities.models import Municipality

PER_PAGE = 25
LIST_COLUMNS = (
    "id",
    "reference",
    "title",
    "status",
    "submitted_at",
    "call__code",
    "person__first_name",
    "person__last_name",
    "organisation__name",
    "municipality__name_sq",
    "municipality__name_sr_latn",
    "municipality__name_sr_cyrl",
    "municipality__name_en",
)
SORTABLE = ("reference", "submitted", "requested", "status")


def _sort_columns(current):
    """For each sortable column: the ?sort= its header links to, and whether (and how) the list is sorted by it."""
    columns = {}
    for key in SORTABLE:
        active = current.lstrip("-") == key
        descending = active and current.startswith("-")
        if active:
            following = key if descending else f"-{key}"
        else:  # dates and amounts open newest / largest first, text and status in their natural order
            following = f"-{key}" if key in ("submitted", "requested") else key
        columns[key] = {"next": following, "active": active, "descending": descending}
    return columns


class ApplicationListView(PermissionRequiredMixin, TemplateView):
    """Submitted applications, filtered, sorted and paged; one query for the rows whatever the page.

    Django's Paginator still counts the matching rows on every page (COUNT over the filtered list).
    """

    permission = staticmethod(can_list_applications)
    template_name = "grants/staff/application_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        form = ApplicationFilterForm(request.GET or None, user=request.user)
        filters = {}
        if form.is_bound:
            form.is_valid()  # a field with an error is left out of the filters (and shown); the list still shows
            filters = form.selector_filters()
        sort = clean_sort(request.GET.get("sort"))
        queryset = order_applications(applications_for_staff(filters=filters), sort).only(*LIST_COLUMNS)
        page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            filter_form=form,
            page_obj=page,
            applications=page.object_list,
            sort=sort,
            sort_columns=_sort_columns(sort),
            is_filtered=bool(filters),
            export_params=[(k, v) for k, values in request.GET.lists() if k != "page" for v in values],
            export_formats=ExportFormat.choices,
        )
        return context


def _staff_application(user, pk):
    """A submitted application for the staff pages; drafts are the applicant's alone, so they answer 404."""
    application = application_for_user(user=user, pk=pk)
    if application.status == ApplicationStatus.DRAFT:
        raise Http404
    return application


class ApplicationDetailView(PermissionRequiredMixin, View):
    """Everything the applicant sent, the timeline, and (for intake staff) a clarification request form."""

    permission = staticmethod(can_list_applications)
    template_name = "grants/staff/application_detail.html"

    def get(self, request, pk):
        application = _staff_application(request.user, pk)
        return self._render(application, ClarificationRequestForm())

    def post(self, request, pk):
        application = _staff_application(request.user, pk)
        # The role here; the state in the service, whose refusal (say, a second click) is shown as a message.
        self.check_permission(None, permission=can_request_clarification)
        form = ClarificationRequestForm(request.POST)
        if form.is_valid():
            try:
                application_request_clarification(
                    actor=request.user,
                    application=application,
                    message=form.cleaned_data["message"],
                    sections=form.cleaned_data["sections"],
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The clarification request was sent to the applicant."))
                return redirect("staff:application_detail", pk=application.pk)
        return self._render(application, form, status=400)

    def _render(self, application, form, status=200):
        user = self.request.user
        context = {
            "application": application,
            "document_url_name": "staff:application_document",
            "totals": budget_totals(application),
            "timeline": labelled_timeline(audit_entries_for(target=application)),
            "display": application_display(application, user=user),
            "clarification_form": form if can_request_clarification(user, application) else None,
            "can_screen_now": can_screen(user, application),
            "can_decide": can_record_decision(user, application),
            "review_summary": review_summary(application=application),
        }
        return render(self.request, self.template_name, context, status=status)


def application_document(request, pk, document_pk):
    """A document of a submitted application, from the staff pages (the applicant downloads from /my/)."""
    if not can_list_applications(request.user):
        raise Http404
    _staff_application(request.user, pk)
    return application_document_download(request, pk=pk, document_pk=document_pk)


# --- What the shared application template shows beyond the model's fields ---------------------------------------


class ExportCreateView(PermissionRequiredMixin, View):
    """The list's export buttons post its current filters here; the file is written by a task."""

    permission = staticmethod(can_list_applications)

    def post(self, request):
        form = ApplicationFilterForm(request.POST, user=request.user)
        form.is_valid()
        filters = form.selector_filters()
        filters["sort"] = clean_sort(request.POST.get("sort"))
        format_form = ExportFormatForm(request.POST)
        export_format = format_form.cleaned_data["format"] if format_form.is_valid() else ExportFormat.XLSX
        try:
            export = application_export_request(actor=request.user, export_format=export_format, filters=filters)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staff:applications_list")
        return redirect("staff:export_detail", pk=export.pk)


class ExportMixin(PermissionRequiredMixin):
    permission = staticmethod(can_list_applications)

    def get_export(self, pk):
        export = ApplicationExport.objects.select_related("requested_by").filter(pk=pk).first()
        if export is None or not can_use_export(self.request.user, export):
            raise Http404
        return export


class ExportDetailView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        context = {
            "export": export,
            "in_progress": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
            "filters": _filter_summary(export.filters),
        }
        return render(request, "grants/staff/export_detail.html", context)


class ExportRetryView(ExportMixin, View):
    def post(self, request, pk):
        export = self.get_export(pk)
        try:
            application_export_retry(actor=request.user, export=export)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("staff:export_detail", pk=export.pk)


class ExportDownloadView(ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export(pk)
        if export.status != ExportStatus.SUCCEEDED or not export.file:
            raise Http404
        content_type = {
            ExportFormat.CSV: "text/csv; charset=utf-8",
            ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[export.format]
        filename = f"applications-{export.created_at:%Y-%m-%d-%H%M}.{export.format}"
        response = FileResponse(
            export.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _filter_summary(filters):
    """The stored filters as (label, value) pairs for the export page; ids shown as the names they stand for."""
    labels = {
        "q": _("Search"),
        "call": _("Call"),
        "component": _("Component"),
        "municipality": _("Municipality"),
        "status": _("Status"),
        "community": _("Applicant's community"),
        "submitted_from": _("Submitted from"),
        "submitted_to": _("Submitted until"),
    }
    values = dict(filters or {})
    if values.get("call"):
        values["call"] = Call.objects.filter(pk=values["call"]).values_list("code", flat=True).first() or ""
    if values.get("municipality"):
        municipality = Municipality.objects.filter(pk=values["municipality"]).first()
        values["municipality"] = municipality.name if municipality else ""
    choices = {
        "status": dict(ApplicationStatus.choices),
        "community": dict(Community.choices),
        "component": dict(Component.choices),
    }
    return [
        (labels[key], choices.get(key, {}).get(values[key], values[key]))
        for key in labels
        if values.get(key) not in (None, "")
    ]
