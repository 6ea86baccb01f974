"""Staff pages of the municipal services tracker (/<lang>/staff/municipalities/…): a service with its measures and
trend, and the forms that add to it. Thin views: a refusal of a service is shown on the same form with what was
typed (the file has to be chosen again) and answers 400. Everyone without the municipal roles gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.selectors import audit_entries_for
from municipal.forms_tracker import MeasureForm, MeasureRemoveForm, ServiceForm
from municipal.models import MeasureKind, MunicipalService, ServiceMeasure
from municipal.permissions import can_manage_municipal, can_view_municipal
from municipal.selectors_tracker import service_for_page
from municipal.services import tracker as services
from municipalities.models import Municipality

FILE_ERRORS = {"empty_file", "file_too_large", "file_type_not_allowed", "broken_image", "image_too_large"}
DATE_ERRORS = {"no_date", "future_date", "before_baseline", "late_baseline", "same_day"}
ACTION_LABELS = {
    "municipal.service.created": gettext_lazy("Service added to the tracker"),
    "municipal.service.updated": gettext_lazy("Service changed"),
    "municipal.service.measure_recorded": gettext_lazy("Measure recorded"),
    "municipal.service.measure_removed": gettext_lazy("Measure removed (recorded in error)"),
}
# The stored name ends with the extension of the type found in the content at upload (never the uploader's name).
EVIDENCE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
FORM_TEMPLATE = "municipal/tracker/form.html"


def add_service_error(form, error, fields=None):
    """A refusal shown on the form, beside the field it concerns when there is one; what was typed stays."""
    if isinstance(error, ApplicationError):
        form.add_error((fields or {}).get(error.code), error.message)
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _partner_or_404(code):
    municipality = Municipality.objects.filter(code=code, is_partner=True).first()
    if municipality is None:
        raise Http404
    return municipality


class ServiceDetailView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_municipal)

    def get(self, request, pk):
        service = service_for_page(pk)
        if service is None:
            raise Http404
        timeline = list(audit_entries_for(target=service))
        for entry in timeline:
            entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
        kinds = service.trend.kinds
        measured = {trend.kind for trend in kinds}
        context = {
            "service": service,
            "municipality": service.municipality,
            "trend": service.trend,
            "kinds": kinds,
            "charts": [(f"trend-data-{trend.kind}", trend.chart_data()) for trend in kinds],
            "missing_kinds": [(value, label) for value, label in MeasureKind.choices if value not in measured],
            "activities": list(service.activities.all()),
            "timeline": timeline,
            "may_manage": can_manage_municipal(request.user),
        }
        return render(request, "municipal/tracker/service_detail.html", context)


class ServiceFormMixin(PermissionRequiredMixin):
    permission = staticmethod(can_manage_municipal)

    def render_form(self, form, *, status=200):
        context = {
            "municipality": self.municipality,
            "service": self.service,
            "form": form,
            "title": self.title(),
            "cancel_url": self.service.get_staff_url()
            if self.service
            else reverse("staff:municipality_detail", args=[self.municipality.code]),
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def handle(self, request):
        form = ServiceForm(request.POST or None, instance=self.service, municipality=self.municipality)
        if request.method == "POST" and form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key != "activities"}
            try:
                service = services.service_save(
                    actor=request.user,
                    municipality=self.municipality,
                    data=data,
                    activities=form.cleaned_data["activities"],
                    service=self.service,
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error, {"duplicate_service": "name", "foreign_activity": "activities"})
            else:
                messages.success(request, _("The service %(name)s was saved.") % {"name": service.name})
                return redirect(service.get_staff_url())
        return self.render_form(form, status=400 if request.method == "POST" else 200)


class ServiceCreateView(ServiceFormMixin, View):
    def title(self):
        return _("Track a service of %(municipality)s") % {"municipality": self.municipality}

    def setup_municipality(self, code):
        self.municipality = _partner_or_404(code)
        self.service = None
        return self.handle(self.request)

    def get(self, request, code):
        return self.setup_municipality(code)

    def post(self, request, code):
        return self.setup_municipality(code)


class ServiceEditView(ServiceFormMixin, View):
    def title(self):
        return _("Change %(name)s") % {"name": self.service.name}

    def setup_service(self, pk):
        self.service = get_object_or_404(MunicipalService.objects.select_related("municipality"), pk=pk)
        self.municipality = self.service.municipality
        return self.handle(self.request)

    def get(self, request, pk):
        return self.setup_service(pk)

    def post(self, request, pk):
        return self.setup_service(pk)


class MeasureCreateView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_municipal)

    def setup_service(self, pk):
        self.service = get_object_or_404(MunicipalService.objects.select_related("municipality"), pk=pk)

    def get(self, request, pk):
        self.setup_service(pk)
        kind = request.GET.get("kind")
        initial = {"kind": kind} if kind in MeasureKind.values else {}
        if initial and not self.service.measures.filter(kind=kind).exists():
            initial["is_baseline"] = True
        return self.render_form(MeasureForm(initial=initial))

    def post(self, request, pk):
        self.setup_service(pk)
        form = MeasureForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.measure_record(actor=request.user, service=self.service, **form.cleaned_data)
            except (ApplicationError, ValidationError) as error:
                fields = {code: "evidence" for code in FILE_ERRORS} | {code: "measured_on" for code in DATE_ERRORS}
                fields |= {"second_baseline": "is_baseline", "no_baseline": "is_baseline", "out_of_range": "value"}
                add_service_error(form, error, fields)
            else:
                messages.success(request, _("The measure was recorded."))
                return redirect(self.service.get_staff_url() + "#measures")
        return self.render_form(form, status=400)

    def render_form(self, form, *, status=200):
        context = {
            "municipality": self.service.municipality,
            "service": self.service,
            "form": form,
            "title": _("Record a measure of %(name)s") % {"name": self.service.name},
            "cancel_url": self.service.get_staff_url(),
            "multipart": True,
            "file_again": form.is_bound and bool(form.errors),
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)


class MeasureRemoveView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_municipal)

    def setup_measure(self, pk):
        self.measure = get_object_or_404(ServiceMeasure.objects.select_related("service__municipality"), pk=pk)
        self.service = self.measure.service

    def get(self, request, pk):
        self.setup_measure(pk)
        return self.render_form(MeasureRemoveForm())

    def post(self, request, pk):
        self.setup_measure(pk)
        form = MeasureRemoveForm(request.POST)
        if form.is_valid():
            try:
                services.measure_remove(actor=request.user, measure=self.measure, reason=form.cleaned_data["reason"])
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error, {"no_reason": "reason"})
            else:
                messages.success(request, _("The value was removed; the reason is kept in the service's history."))
                return redirect(self.service.get_staff_url() + "#measures")
        return self.render_form(form, status=400)

    def render_form(self, form, *, status=200):
        context = {
            "municipality": self.service.municipality,
            "service": self.service,
            "measure": self.measure,
            "form": form,
            "title": _("Remove a value recorded in error"),
            "cancel_url": self.service.get_staff_url(),
            "danger": True,
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)


class MeasureEvidenceView(PermissionRequiredMixin, View):
    """The evidence of a measure, as an attachment, to the roles that see the tracker in full (404 otherwise)."""

    permission = staticmethod(can_view_municipal)

    def get(self, request, pk):
        measure = get_object_or_404(ServiceMeasure, pk=pk)
        if not measure.evidence:
            raise Http404
        extension = measure.evidence.name.rsplit(".", 1)[-1].lower()
        response = FileResponse(
            measure.evidence.open("rb"),
            as_attachment=True,
            filename=measure.evidence_name or f"evidence.{extension}",
            content_type=EVIDENCE_TYPES.get(extension, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
