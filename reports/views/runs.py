"""Reports at /staff/reports/: ask for a report, follow its run, download the file, compare two runs.

A request returns at once: the run is rendered by a Celery task (reports.services.runs). The run's page polls a
small fragment (htmx, every 2 s) for the progress bar until the run is done, then shows the download. A refusal
or a run the user may not see answers 404.
"""

import os

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.roles import Role, has_role
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from reports.forms import ReportRequestForm
from reports.models import ReportFormat, ReportKind, ReportRun, RunStatus
from reports.permissions import can_request_report_kind, can_request_reports, can_view_run
from reports.selectors import snapshot_changes
from reports.services.runs import IN_PROGRESS, request_run, retry_run, run_period

PER_PAGE = 25
CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}


def visible_runs(user):
    """The runs `user` may see (as reports.permissions.can_view_run decides), in one query."""
    kinds = [kind.value for kind in ReportKind if kind != ReportKind.RECORDS and can_request_report_kind(user, kind)]
    visible = Q(kind__in=kinds)
    if can_request_report_kind(user, ReportKind.RECORDS):
        records = Q(kind=ReportKind.RECORDS)
        if not has_role(user, Role.ADMIN):
            records &= Q(requested_by=user)
        visible |= records
    return ReportRun.objects.filter(visible).select_related("requested_by", "municipality")


def _with_labels(runs):
    for run in runs:
        run.period_label = run_period(run).label
        run.filename = os.path.basename(run.file.name) if run.file else ""
    return runs


class ReportHomeView(PermissionRequiredMixin, View):
    permission = staticmethod(can_request_reports)

    def get(self, request):
        return self._render(ReportRequestForm(user=request.user))

    def post(self, request):
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = request_run(
                    actor=request.user,
                    kind=data["kind"],
                    format=data["format"],
                    language=data["language"],
                    period=form.period,
                    municipality=data.get("municipality"),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The report is being prepared. This page shows its progress."))
                return redirect("staff:report_run_detail", pk=run.pk)
        return self._render(form, status=400)

    def _render(self, form, status=200):
        page = Paginator(
            visible_runs(self.request.user).defer("snapshot").order_by("-created_at", "-id"), PER_PAGE
        ).get_page(self.request.GET.get("page"))
        _with_labels(page.object_list)
        context = {"form": form, "page_obj": page, "runs": page.object_list, "kind_formats": form.kind_formats()}
        return render(self.request, "reports/runs/home.html", context, status=status)


class RunMixin(PermissionRequiredMixin):
    permission = staticmethod(can_request_reports)

    def get_run(self, pk):
        run = ReportRun.objects.select_related("requested_by", "municipality").filter(pk=pk).first()
        if run is None or not can_view_run(self.request.user, run):
            raise Http404
        run.period_label = run_period(run).label
        run.filename = os.path.basename(run.file.name) if run.file else ""
        return run


def _progress_context(run):
    return {"run": run, "in_progress": run.status in IN_PROGRESS}


def _earlier_runs(user, run):
    """Succeeded runs of the same report asked for before `run`, newest first (for "compare with")."""
    runs = (
        visible_runs(user)
        .defer("snapshot")
        .filter(kind=run.kind, status=RunStatus.SUCCEEDED, created_at__lt=run.created_at)
        .exclude(pk=run.pk)
        .order_by("-created_at", "-id")[:50]
    )
    return _with_labels(list(runs))


class RunDetailView(RunMixin, View):
    def get(self, request, pk):
        run = self.get_run(pk)
        context = {
            **_progress_context(run),
            "earlier_runs": _earlier_runs(request.user, run) if run.status == RunStatus.SUCCEEDED else [],
            "params": _params_summary(run),
        }
        return render(request, "reports/runs/detail.html", context)


class RunProgressView(RunMixin, View):
    """The fragment the run's page polls: it keeps polling while the run is queued or running."""

    def get(self, request, pk):
        run = self.get_run(pk)
        response = render(request, "reports/runs/_progress.html", _progress_context(run))
        response["Cache-Control"] = "no-store"
        return response


class RunRetryView(RunMixin, View):
    def post(self, request, pk):
        run = self.get_run(pk)
        try:
            retry_run(actor=request.user, run=run)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The report is being prepared again."))
        return redirect("staff:report_run_detail", pk=run.pk)


class RunDownloadView(RunMixin, View):
    def get(self, request, pk):
        run = self.get_run(pk)
        if run.status != RunStatus.SUCCEEDED or not run.file:
            raise Http404
        response = FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=run.filename,
            content_type=CONTENT_TYPES.get(run.format, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class RunCompareView(RunMixin, View):
    """What changed in the figures between an earlier run of the same report and this one."""

    def get(self, request, pk):
        run = self.get_run(pk)
        earlier_runs = _earlier_runs(request.user, run) if run.status == RunStatus.SUCCEEDED else []
        other, changes, error = None, [], ""
        chosen = request.GET.get("with")
        if run.status != RunStatus.SUCCEEDED:
            error = _("This run is not ready yet; compare it once its file is ready.")
        elif chosen:
            other = next((r for r in earlier_runs if str(r.pk) == chosen), None)
            if other is None:
                error = _("Choose one of the earlier runs of this report that are ready.")
            else:
                changes = snapshot_changes(other.snapshot.get("figures", {}), run.snapshot.get("figures", {}))
        context = {
            "run": run,
            "other": other,
            "earlier_runs": earlier_runs,
            "changes": changes,
            "same_figures": other is not None and other.snapshot_hash == run.snapshot_hash,
            "error": error,
        }
        return render(request, "reports/runs/compare.html", context, status=400 if error and chosen else 200)


def _params_summary(run):
    """The run's parameters as (label, value) pairs for its page."""
    rows = [
        (_("Report"), run.get_kind_display()),
        (_("Period"), f"{run.period_label} ({run_period(run).dates_label})"),
    ]
    if run.municipality_id:
        rows.append((_("Municipality"), run.municipality.name))
    if run.kind == ReportKind.RECORDS:
        params = run.params or {}
        rows.append((_("Figure"), params.get("calculation", "")))
        if params.get("filters"):
            rows.append((_("Breakdown"), ", ".join(f"{code}: {part}" for code, part in params["filters"])))
    rows += [
        (_("Language"), _language_label(run.language)),
        (_("Format"), run.get_format_display()),
    ]
    return rows


def _language_label(code):
    from django.conf import settings

    return str(dict(settings.LANGUAGES).get(code, code))
