"""Reads of progress reports: the content a page shows (a constant number of queries), the snapshot a submission
keeps, what a grantee owes, and the staff queue of reports to review or chase."""

import datetime

from django.db.models import Prefetch, Q
from django.utils import timezone

from grants.models import (
    CostShareContribution,
    GrantStatus,
    ProgressReport,
    ReportExpenditure,
    ReportFile,
    ReportFileKind,
    ReportMessage,
    ReportStatus,
)

# Reports the grantee still owes (not submitted, or sent back for revision).
OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.REVISION_REQUESTED)
# Grants whose grantee still reports (a completed grant has had its final report accepted).
REPORTING_GRANTS = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
# The grantee's start page lists what is overdue, sent back, or due within this many days.
DUE_SOON_DAYS = 45

REPORT_CONTENT_PREFETCH = (
    "beneficiaries",
    "milestones_completed",
    Prefetch(
        "expenditures", queryset=ReportExpenditure.objects.select_related("budget_line").prefetch_related("receipts")
    ),
    Prefetch("contributions", queryset=CostShareContribution.objects.prefetch_related("evidence")),
    Prefetch("files", queryset=ReportFile.objects.filter(kind=ReportFileKind.PHOTO), to_attr="photos"),
)


def report_pages_queryset():
    """Reports with everything their pages show: content, thread, the grant's milestones and budget lines."""
    return ProgressReport.objects.select_related(
        "grant__application__applicant",
        "grant__application__person",
        "grant__application__organisation",
        "grant__application__call",
        "milestone",
        "accepted_by",
    ).prefetch_related(
        *REPORT_CONTENT_PREFETCH,
        Prefetch("messages", queryset=ReportMessage.objects.select_related("author")),
        "grant__milestones",
        "grant__budget_lines",
    )


def reports_of_grant(grant):
    return list(ProgressReport.objects.filter(grant=grant).select_related("milestone").order_by("number"))


def report_is_overdue(report, today=None):
    today = today or timezone.localdate()
    return report.status in OPEN_STATUSES and report.due_date < today


def reports_due_for_grantee(*, user, today=None):
    """What the grantee owes: overdue, sent back for revision, or due soon (one query)."""
    today = today or timezone.localdate()
    reports = list(
        ProgressReport.objects.filter(
            grant__application__applicant=user, grant__status__in=REPORTING_GRANTS, status__in=OPEN_STATUSES
        )
        .filter(Q(status=ReportStatus.REVISION_REQUESTED) | Q(due_date__lte=today + datetime.timedelta(DUE_SOON_DAYS)))
        .select_related("grant")
        .order_by("due_date", "grant_id", "number")
    )
    for report in reports:
        report.is_overdue = report_is_overdue(report, today)
    return reports


def report_review_queue(*, show="", today=None):
    """Submitted reports waiting for an officer, and reports of running grants past their due date."""
    today = today or timezone.localdate()
    submitted = Q(status=ReportStatus.SUBMITTED)
    overdue = Q(status__in=OPEN_STATUSES, due_date__lt=today, grant__status__in=REPORTING_GRANTS)
    condition = {"submitted": submitted, "overdue": overdue}.get(show, submitted | overdue)
    return (
        ProgressReport.objects.filter(condition)
        .select_related(
            "grant__application__person", "grant__application__organisation", "grant__application__municipality"
        )
        .order_by("due_date", "id")
    )


def _file(item):
    return {"id": item.pk, "name": item.original_name, "content_type": item.content_type}


def report_snapshot(report, *, none_reached=False):
    """The report's content as plain data: kept with each submission, and rendered the same way as the live report.

    Reads the prefetched relations of REPORT_CONTENT_PREFETCH (no query when they are prefetched).
    """
    photos = getattr(report, "photos", None)
    if photos is None:
        photos = [f for f in report.files.all() if f.kind == ReportFileKind.PHOTO]
    return {
        "version": report.version,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "narrative": report.narrative,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "percent_complete": report.percent_complete,
        "milestones": [{"id": m.pk, "description": m.description} for m in report.milestones_completed.all()],
        "none_reached": bool(none_reached),
        "beneficiaries": [
            {"community": b.community, "sex": b.sex, "age_band": b.age_band, "count": b.count}
            for b in report.beneficiaries.all()
        ],
        "expenditures": [
            {
                "id": e.pk,
                "budget_line": e.budget_line.description,
                "description": e.description,
                "spent_on": e.spent_on.isoformat(),
                "amount": str(e.amount),
                "receipts": [_file(f) for f in e.receipts.all()],
            }
            for e in report.expenditures.all()
        ],
        "contributions": [
            {
                "id": c.pk,
                "kind": c.kind,
                "description": c.description,
                "value": str(c.value),
                "evidence": [_file(f) for f in c.evidence.all()],
            }
            for c in report.contributions.all()
        ],
        "photos": [{**_file(f), "thumbnail": bool(f.thumbnail)} for f in photos],
    }
