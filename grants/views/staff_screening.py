"""Eligibility screening (/<lang>/staff/screening/): one application's checklist and outcome, and a call's
submitted applications screened in bulk. Everyone without the right to screen gets 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.forms.screening import BulkScreeningForm, ScreeningForm
from grants.models import ApplicationStatus, Call, CallStatus
from grants.permissions import can_screen
from grants.services.budget import budget_totals
from grants.services.screening import (
    AUTOMATIC_CHECKS,
    CHECK_LABELS,
    application_screen,
    applications_screen_bulk,
    screening_checklist,
    screening_queryset,
)


class ScreeningApplicationView(PermissionRequiredMixin, View):
    """The checklist of one submitted application, pre-filled where the system can tell, and the outcome form."""

    permission = staticmethod(can_screen)
    template_name = "grants/staff/screening_application.html"

    def get_application(self, pk):
        application = screening_queryset().exclude(status=ApplicationStatus.DRAFT).filter(pk=pk).first()
        if application is None:
            raise Http404
        return application

    def get(self, request, pk):
        return self._render(self.get_application(pk), ScreeningForm())

    def post(self, request, pk):
        application = self.get_application(pk)
        form = ScreeningForm(request.POST)
        if form.is_valid():
            try:
                application_screen(
                    actor=request.user,
                    application=application,
                    eligible=form.eligible,
                    reasons=form.cleaned_data["reasons"],
                    comment=form.cleaned_data["comment"],
                    checks=form.checks(),
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The screening of %(reference)s was saved.") % {"reference": application})
                return redirect("staff:screening_application", pk=application.pk)
        return self._render(application, form, status=400)

    def _render(self, application, form, status=200):
        screenable = can_screen(self.request.user, application)
        context = {
            "application": application,
            "totals": budget_totals(application),
            "checklist": screening_checklist(application) if screenable else None,
            "form": form if screenable else None,
        }
        return render(self.request, self.template_name, context, status=status)


class ScreeningCallView(PermissionRequiredMixin, View):
    """A call's submitted applications with their automatic checks, screened together with one outcome."""

    permission = staticmethod(can_screen)
    template_name = "grants/staff/screening_call.html"

    def get_call(self, code):
        call = Call.objects.exclude(status=CallStatus.DRAFT).filter(code=code).first()
        if call is None:
            raise Http404
        return call

    def rows(self, call):
        applications = screening_queryset().filter(call=call, status=ApplicationStatus.SUBMITTED)
        rows = []
        for application in applications.order_by("submitted_at", "id"):
            checklist = screening_checklist(application)
            rows.append({"application": application, "checks": [item for item in checklist if item["automatic"]]})
        return rows

    def get(self, request, code):
        call = self.get_call(code)
        rows = self.rows(call)
        form = BulkScreeningForm(application_ids=[row["application"].pk for row in rows])
        return self._render(call, rows, form)

    def post(self, request, code):
        call = self.get_call(code)
        rows = self.rows(call)
        form = BulkScreeningForm(request.POST, application_ids=[row["application"].pk for row in rows])
        if form.is_valid():
            ids = form.cleaned_data["applications"]
            try:
                applications_screen_bulk(
                    actor=request.user,
                    application_ids=ids,
                    eligible=form.eligible,
                    reasons=form.cleaned_data["reasons"],
                    comment=form.cleaned_data["comment"],
                    checks=form.checks(),
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                if form.eligible:
                    text = ngettext(
                        "%(count)s application was marked eligible.",
                        "%(count)s applications were marked eligible.",
                        len(ids),
                    )
                else:
                    text = ngettext(
                        "%(count)s application was marked ineligible; the applicant will receive a letter.",
                        "%(count)s applications were marked ineligible; each applicant will receive a letter.",
                        len(ids),
                    )
                messages.success(request, text % {"count": len(ids)})
                return redirect("staff:screening_call", code=call.code)
        return self._render(call, rows, form, status=400)

    def _render(self, call, rows, form, status=200):
        selected = set(form["applications"].value() or []) if form.is_bound else set()
        for row in rows:
            row["selected"] = str(row["application"].pk) in selected
        columns = [(code, CHECK_LABELS[code]) for code in AUTOMATIC_CHECKS]
        context = {"call": call, "rows": rows, "form": form, "check_columns": columns}
        return render(self.request, self.template_name, context, status=status)
