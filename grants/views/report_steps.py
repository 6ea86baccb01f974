"""The grantee's progress report pages: the report (read-only once submitted, with its thread), the parts of the
draft step by step (progress, people reached, expenditures, cost share, photos, review and submit), and files.

Only the grantee sees them (404 for everyone else, staff included: staff read reports on their own pages). As with
applications, a POST from a browser whose session expired is kept in the new session and shown again after log-in,
and a page showing an older version cannot overwrite a newer one.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from grants.forms.reports import (
    AttachForm,
    ContributionForm,
    ExpenditureForm,
    ReportProgressForm,
    SubmitForm,
    VersionForm,
    beneficiary_formset,
)
from grants.models import CostShareContribution, ReportExpenditure, ReportFile, ReportFileKind
from grants.permissions import can_edit_report
from grants.selectors_reports import report_pages_queryset
from grants.services import reports as services
from grants.views.applicant import STASH_KEY
from grants.views.reports import report_file_response, report_page_context

STEPS = [
    ("progress", gettext_lazy("Progress")),
    ("beneficiaries", gettext_lazy("People reached")),
    ("expenditures", gettext_lazy("Expenditures")),
    ("cost_share", gettext_lazy("Cost share")),
    ("photos", gettext_lazy("Photos")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_CODES = [code for code, _label in STEPS]
# The row each list step adds to, and the kind of file attached to such a row.
ROWS = {
    "expenditures": (ReportExpenditure, ReportFileKind.RECEIPT, "expenditure"),
    "cost_share": (CostShareContribution, ReportFileKind.COST_SHARE_EVIDENCE, "contribution"),
}


class OwnReportMixin:
    """Loads the logged-in grantee's own report (404 for anyone else); keeps a POST that arrives after the session
    expired, to show it again on the same page after log-in."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
                request.session[STASH_KEY.format(path=request.path)] = data
                return redirect_to_login(request.path)
            raise Http404
        self.report = get_object_or_404(
            report_pages_queryset(),
            pk=kwargs["report_pk"],
            grant_id=kwargs["pk"],
            grant__application__applicant=request.user,
        )
        return super().dispatch(request, *args, **kwargs)

    def stashed(self):
        data = self.request.session.pop(STASH_KEY.format(path=self.request.path), None)
        if data is None:
            return None
        query = QueryDict(mutable=True)
        for key, values in data.items():
            query.setlist(key, values)
        messages.warning(self.request, _("Your session had expired. We kept what you typed: check it and save again."))
        return query


class MyReportView(OwnReportMixin, View):
    """The report as it stands (read-only), with every submission and comment of its thread."""

    def get(self, request, pk, report_pk):
        context = report_page_context(self.report)
        context.update(may_edit=can_edit_report(request.user, self.report), file_url_name="my_report_file")
        return render(request, "grants/my/report_detail.html", context)


class MyReportEditView(OwnReportMixin, View):
    def get(self, request, pk, report_pk):
        if not can_edit_report(request.user, self.report):
            return redirect("my_report_detail", pk=pk, report_pk=report_pk)
        return redirect("my_report_step", pk=pk, report_pk=report_pk, step=STEP_CODES[0])


class MyReportFileView(OwnReportMixin, View):
    def get(self, request, pk, report_pk, file_pk):
        files = ReportFile.objects.filter(report=self.report)
        return report_file_response(files, file_pk, thumbnail=request.GET.get("thumbnail") == "1")


def _pk(value):
    """A row id from the form, or 404 (a tampered or stale form)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _add_error(form, error, field=None):
    field = field or error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class MyReportStepView(OwnReportMixin, View):
    """One part of the draft. Each part saves on its own; nothing typed is lost when a save is refused."""

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("step") not in STEP_CODES:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, report_pk, step):
        if not can_edit_report(request.user, self.report):
            return redirect("my_report_detail", pk=pk, report_pk=report_pk)
        return self.render_step(step, self.make_forms(step, self.stashed()))

    def post(self, request, pk, report_pk, step):
        if not can_edit_report(request.user, self.report):
            messages.error(request, _("This report was submitted and can no longer be changed."))
            return redirect("my_report_detail", pk=pk, report_pk=report_pk)
        return getattr(self, f"post_{step}")()

    # Forms --------------------------------------------------------------------------------------------------------
    def make_forms(self, step, data=None, files=None):
        """The step's forms; the one named by `action` in `data` is bound (a failed or stashed POST)."""
        report, action = self.report, (data or {}).get("action", "")
        initial = {"version": report.version}

        def bound(name):
            return (data, files) if data is not None and action == name else (None, None)

        if step == "progress":
            return {"form": ReportProgressForm(data, instance=report, initial=initial)}
        if step == "beneficiaries":
            return {"version": VersionForm(data, initial=initial), "formset": beneficiary_formset(report, data)}
        if step == "review":
            return {"submit": SubmitForm(data, initial=initial)}
        forms = {"attach": AttachForm(*bound("attach"), photos=step == "photos")}
        if step == "expenditures":
            tolerance = services.EXPENDITURE_DATE_TOLERANCE_DAYS
            forms["add"] = ExpenditureForm(*bound("add"), report=report, tolerance_days=tolerance)
        elif step == "cost_share":
            forms["add"] = ContributionForm(*bound("add"))
        return forms

    def render_step(self, step, forms, *, status=200, missing=None, failed_item=None):
        context = report_page_context(self.report)
        context.update(
            step=step,
            steps=STEPS,
            forms=forms,
            failed_item=failed_item,
            file_url_name="my_report_file",
            tolerance_days=services.EXPENDITURE_DATE_TOLERANCE_DAYS,
        )
        if step == "review":
            context["missing"] = missing if missing is not None else services.report_missing_items(self.report)
        return render(self.request, "grants/my/report_step.html", context, status=status)

    def saved(self, step, message=None):
        messages.success(self.request, message or _("Saved."))
        if "next_step" in self.request.POST:
            step = STEP_CODES[min(STEP_CODES.index(step) + 1, len(STEP_CODES) - 1)]
        return redirect("my_report_step", pk=self.report.grant_id, report_pk=self.report.pk, step=step)

    def refused(self, step, forms, form, error, **extra):
        _add_error(form, error)
        return self.render_step(step, forms, status=409 if error.code == "stale" else 400, **extra)

    # Progress and people reached ------------------------------------------------------------------------------------
    def post_progress(self):
        forms = self.make_forms("progress", self.request.POST)
        form = forms["form"]
        if not form.is_valid():
            return self.render_step("progress", forms, status=400)
        data = {name: form.cleaned_data[name] for name in ReportProgressForm.Meta.fields}
        try:
            services.report_progress_save(
                actor=self.request.user, report=self.report, version=form.cleaned_data["version"], data=data
            )
        except ApplicationError as error:
            return self.refused("progress", forms, form, error)
        return self.saved("progress")

    def post_beneficiaries(self):
        forms = self.make_forms("beneficiaries", self.request.POST)
        version, formset = forms["version"], forms["formset"]
        if not (version.is_valid() and formset.is_valid()):
            messages.error(self.request, _("Nothing was saved. Correct the rows marked in red and save again."))
            return self.render_step("beneficiaries", forms, status=400)
        try:
            services.report_beneficiaries_save(
                actor=self.request.user,
                report=self.report,
                version=version.cleaned_data["version"],
                rows=formset.rows(),
            )
        except ApplicationError as error:
            return self.refused("beneficiaries", forms, version, error)
        return self.saved("beneficiaries")

    # Expenditures, cost share, photos ------------------------------------------------------------------------------
    def post_expenditures(self):
        return self.post_rows("expenditures")

    def post_cost_share(self):
        return self.post_rows("cost_share")

    def post_photos(self):
        return self.post_rows("photos")

    def post_rows(self, step):
        action = self.request.POST.get("action")
        if action in ("remove", "remove_file"):
            return self.remove(step, action)
        forms = self.make_forms(step, self.request.POST, self.request.FILES)
        if action == "attach":
            return self.attach(step, forms)
        if action != "add" or step == "photos":
            raise Http404
        form = forms["add"]
        if not form.is_valid():
            return self.render_step(step, forms, status=400)
        data = dict(form.cleaned_data)
        try:
            if step == "expenditures":
                receipts = data.pop("receipts")
                services.report_expenditure_add(actor=self.request.user, report=self.report, receipts=receipts, **data)
            else:
                evidence = data.pop("evidence")
                services.report_contribution_add(actor=self.request.user, report=self.report, evidence=evidence, **data)
        except ApplicationError as error:
            return self.refused(step, forms, form, error)
        return self.saved(step, _("Added."))

    def _row(self, step, pk):
        model = ROWS[step][0]
        return get_object_or_404(model, pk=_pk(pk), report=self.report)

    def attach(self, step, forms):
        form = forms["attach"]
        item = form.data.get("item")
        row = None if step == "photos" else self._row(step, item)
        if not form.is_valid():
            return self.render_step(step, forms, status=400, failed_item=getattr(row, "pk", None))
        kind, argument = (ReportFileKind.PHOTO, None) if step == "photos" else ROWS[step][1:]
        extra = {argument: row} if argument else {}
        try:
            services.report_files_add(
                actor=self.request.user, report=self.report, kind=kind, uploads=form.cleaned_data["files"], **extra
            )
        except ApplicationError as error:
            return self.refused(step, forms, form, error, failed_item=getattr(row, "pk", None))
        return self.saved(step, _("The files were added."))

    def remove(self, step, action):
        pk = self.request.POST.get("item")
        if action == "remove_file":
            item = get_object_or_404(ReportFile, pk=_pk(pk), report=self.report)
        elif step in ROWS:
            item = self._row(step, pk)
        else:
            raise Http404
        try:
            services.report_item_remove(actor=self.request.user, report=self.report, item=item)
        except ApplicationError as error:
            messages.error(self.request, error.message)
        else:
            messages.success(self.request, _("Removed."))
        return redirect("my_report_step", pk=self.report.grant_id, report_pk=self.report.pk, step=step)

    # Review and submit --------------------------------------------------------------------------------------------
    def post_review(self):
        forms = self.make_forms("review", self.request.POST)
        form = forms["submit"]
        if not form.is_valid():
            return self.render_step("review", forms, status=400)
        try:
            services.report_submit(
                actor=self.request.user,
                report=self.report,
                version=form.cleaned_data["version"],
                none_reached=form.cleaned_data["none_reached"],
            )
        except ApplicationError as error:
            if error.code == "incomplete":
                messages.error(self.request, error.message)
                return self.render_step("review", forms, status=400, missing=error.extra["missing"])
            return self.refused("review", forms, form, error)
        messages.success(self.request, _("Your report was submitted. The programme will read it and answer here."))
        return redirect("my_report_detail", pk=self.report.grant_id, report_pk=self.report.pk)
