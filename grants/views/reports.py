"""Progress reports on staff pages: the panels of both grant pages, the staff report page (content, thread, accept
or ask for a revision), receipts and photos through permission-checked views, and the queue of reports to review
or chase. The grantee's own pages are in report_steps.py; both render a report through report_display().

Thin views: forms shape input, grants.services.reports decides and says why not.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.choices import AgeBand, Community, Sex
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.forms.reports import ReviewForm
from grants.models import CostShareKind, GrantStatus, ReportFile, ReportMessageKind, ReportStatus
from grants.permissions import can_edit_report, can_review_report
from grants.selectors_reports import (
    report_is_overdue,
    report_pages_queryset,
    report_review_queue,
    report_snapshot,
    reports_of_grant,
)
from grants.services import reports as services
from grants.services.grants import grantee_name
from grants.views.grants import can_view_grants_as_staff

PER_PAGE = 25
ACTION_LABELS = {
    "grants.report.scheduled": gettext_lazy("Progress reports scheduled"),
    "grants.report.schedule_changed": gettext_lazy("Progress report schedule changed by an amendment"),
    "grants.report.submitted": gettext_lazy("Progress report submitted"),
    "grants.report.accepted": gettext_lazy("Progress report accepted"),
    "grants.report.revision_requested": gettext_lazy("Revision of a progress report requested"),
}


# --- Showing a report (live or as submitted) ----------------------------------------------------------------------
def _files(items, existing):
    return [{**item, "exists": item["id"] in existing} for item in items]


def report_display(snapshot, *, existing_files):
    """A snapshot (the live report's or a submission's) ready for the template: labels in the reader's language,
    dates and amounts as values, totals, and which files can still be opened."""
    labels = {**dict(Community.choices), **dict(Sex.choices), **dict(AgeBand.choices)}
    kinds = dict(CostShareKind.choices)
    beneficiaries = [
        {
            **row,
            "community_label": labels.get(row["community"], row["community"]),
            "sex_label": labels.get(row["sex"], row["sex"]),
            "age_label": labels.get(row["age_band"], row["age_band"]),
        }
        for row in snapshot.get("beneficiaries", [])
    ]
    expenditures = [
        {
            **row,
            "spent_on": datetime.date.fromisoformat(row["spent_on"]),
            "amount": Decimal(row["amount"]),
            "receipts": _files(row["receipts"], existing_files),
        }
        for row in snapshot.get("expenditures", [])
    ]
    contributions = [
        {
            **row,
            "kind_label": kinds.get(row["kind"], row["kind"]),
            "value": Decimal(row["value"]),
            "evidence": _files(row["evidence"], existing_files),
        }
        for row in snapshot.get("contributions", [])
    ]
    return {
        **snapshot,
        "period_start": datetime.date.fromisoformat(snapshot["period_start"]),
        "period_end": datetime.date.fromisoformat(snapshot["period_end"]),
        "beneficiaries": beneficiaries,
        "people": sum(row["count"] for row in beneficiaries),
        "expenditures": expenditures,
        "spent": sum((row["amount"] for row in expenditures), Decimal("0")),
        "contributions": contributions,
        "contributed": sum((row["value"] for row in contributions), Decimal("0")),
        "photos": _files(snapshot.get("photos", []), existing_files),
    }


def report_file_ids(report):
    """Ids of the files attached now (from the prefetched content: no query)."""
    ids = {f.pk for item in report.expenditures.all() for f in item.receipts.all()}
    ids |= {f.pk for item in report.contributions.all() for f in item.evidence.all()}
    return ids | {f.pk for f in report.photos}


def report_thread(report, existing_files):
    """The report's messages, each submission with its content as it was sent."""
    thread = []
    for message in report.messages.all():
        content = None
        if message.kind == ReportMessageKind.SUBMITTED and message.snapshot:
            content = report_display(message.snapshot, existing_files=existing_files)
        thread.append({"message": message, "content": content})
    return thread


def report_page_context(report):
    files = report_file_ids(report)
    report.is_overdue = report_is_overdue(report)
    revisions = [m for m in report.messages.all() if m.kind == ReportMessageKind.REVISION_REQUESTED]
    waiting_revision = report.status == ReportStatus.REVISION_REQUESTED and revisions
    return {
        "report": report,
        "revision_comment": revisions[-1].text if waiting_revision else "",
        "grant": report.grant,
        "grantee": grantee_name(report.grant.application),
        "content": report_display(report_snapshot(report), existing_files=files),
        "thread": report_thread(report, files),
    }


def report_file_response(files, file_pk, *, thumbnail=False):
    """A receipt, evidence or photo among `files` as an attachment (a photo's thumbnail inline), or 404."""
    item = files.filter(pk=file_pk).first()
    if item is None or (thumbnail and not item.thumbnail):
        raise Http404
    if thumbnail:
        response = FileResponse(item.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        response = FileResponse(
            item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Panels of the grant pages ------------------------------------------------------------------------------------
def _panel_reports(grant):
    today = timezone.localdate()
    reports = reports_of_grant(grant)
    for report in reports:
        report.grant = grant
        report.is_overdue = report_is_overdue(report, today)
    return reports


def reports_panel(request, grant):
    """The staff grant page: the schedule with each report's status; one query."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        return None
    return {
        "template": "grants/staff/_grant_panel_reports.html",
        "title": _("Progress reports"),
        "anchor": "reports",
        "reports": _panel_reports(grant),
        "frequency": grant.get_report_frequency_display(),
    }


def my_reports_panel(request, grant):
    """The grantee's grant page: their reports, what to write next and what was sent; one query."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        return None
    reports = _panel_reports(grant)
    for report in reports:
        report.may_edit = can_edit_report(request.user, report)
    return {
        "template": "grants/my/_panel_reports.html",
        "title": _("Progress reports"),
        "anchor": "reports",
        "reports": reports,
        "frequency": grant.get_report_frequency_display(),
    }


# --- Staff pages --------------------------------------------------------------------------------------------------
class StaffReportMixin(PermissionRequiredMixin):
    permission = staticmethod(can_view_grants_as_staff)

    def get_report(self):
        return get_object_or_404(report_pages_queryset(), pk=self.kwargs["report_pk"], grant_id=self.kwargs["pk"])

    def render_report(self, report, *, form=None, status=200):
        context = report_page_context(report)
        context["may_review"] = can_review_report(self.request.user, report)
        if context["may_review"]:
            context["form"] = form or ReviewForm()
        context["file_url_name"] = "staff:grant_report_file"
        return render(self.request, "grants/staff/report_detail.html", context, status=status)


class StaffReportView(StaffReportMixin, View):
    """Everything the grantee reported, the thread of submissions and comments, and the officer's decision."""

    def get(self, request, pk, report_pk):
        return self.render_report(self.get_report())


class StaffReportReviewView(StaffReportMixin, View):
    def get(self, request, pk, report_pk):
        return redirect("staff:grant_report", pk=pk, report_pk=report_pk)

    def post(self, request, pk, report_pk):
        report = self.get_report()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was decided. Correct the fields marked in red and send again."))
            return self.render_report(report, form=form, status=400)
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                services.report_accept(actor=request.user, report=report, comment=comment)
                messages.success(request, _("The report was accepted; the grantee is told by e-mail."))
            else:
                services.report_request_revision(actor=request.user, report=report, comment=comment)
                messages.success(request, _("The report was sent back for revision with your comment."))
        except ApplicationError as error:
            messages.error(request, error.message)
            return self.render_report(self.get_report(), form=form, status=400)
        return redirect("staff:grant_report", pk=pk, report_pk=report_pk)


class StaffReportFileView(StaffReportMixin, View):
    def get(self, request, pk, report_pk, file_pk):
        files = ReportFile.objects.filter(report_id=report_pk, report__grant_id=pk)
        return report_file_response(files, file_pk, thumbnail=request.GET.get("thumbnail") == "1")


class ReportQueueView(StaffReportMixin, View):
    """Reports waiting for an officer's review and reports past their due date, oldest due first."""

    def get(self, request):
        show = request.GET.get("show", "")
        show = show if show in ("submitted", "overdue") else ""
        page = Paginator(report_review_queue(show=show), PER_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for report in page.object_list:
            report.is_overdue = report_is_overdue(report, today)
            report.grantee = grantee_name(report.grant.application)
        context = {"page_obj": page, "reports": page.object_list, "show": show}
        return render(request, "grants/staff/report_queue.html", context)
