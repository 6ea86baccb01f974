"""Progress reports from the grantee: the schedule made at signature, submission with a snapshot of what was sent,
the officer's acceptance (which verifies the milestones the report completes) or request for revision, and the
e-mail reminders the daily beat task queues.

The draft writes (text, beneficiaries, expenditures, cost share, files) are in report_drafts and re-exported here.
Every service locks the grant row and then the report; statuses change only through core.workflow.transition.
"""

import calendar
import datetime

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.emails import email_queue
from core.errors import ApplicationError
from core.services import audit_record
from core.workflow import transition
from grants.models import (
    REPORT_TRANSITIONS,
    Grant,
    GrantStatus,
    ProgressReport,
    ReminderKind,
    ReportFrequency,
    ReportKind,
    ReportMessage,
    ReportMessageKind,
    ReportReminder,
    ReportStatus,
    VerificationSource,
)
from grants.permissions import can_manage_grant, can_review_report, is_grantee
from grants.selectors_reports import OPEN_STATUSES, REPORT_CONTENT_PREFETCH, REPORTING_GRANTS, report_snapshot
from grants.services.report_drafts import (
    EXPENDITURE_DATE_TOLERANCE_DAYS,
    editable_report,
    locked_report,
    report_beneficiaries_save,
    report_contribution_add,
    report_expenditure_add,
    report_files_add,
    report_item_remove,
    report_progress_save,
)
from grants.services.tranches import milestone_verify

__all__ = [
    "EXPENDITURE_DATE_TOLERANCE_DAYS",
    "report_accept",
    "report_beneficiaries_save",
    "report_contribution_add",
    "report_expenditure_add",
    "report_files_add",
    "report_item_remove",
    "report_missing_items",
    "report_progress_save",
    "report_reminders_send",
    "report_request_revision",
    "report_schedule_create",
    "report_submit",
]

PERIODIC_DUE_DAYS = 15  # a quarterly or milestone report is due 15 days after its period ends
FINAL_DUE_DAYS = 30  # the final report, 30 days after the grant ends
# A missed daily run (worker down) still sends the due-day reminder up to this many days late.
DUE_DAY_CATCH_UP_DAYS = 2
SHORTEST_PERIOD_DAYS = 30
WEEK = 7


# --- The schedule ------------------------------------------------------------------------------------------------
def _quarters(start, end):
    """Calendar quarters from `start` to `end`, the first and last cut to the grant's dates."""
    periods, cursor = [], start
    while cursor <= end:
        last_month = (cursor.month - 1) // 3 * 3 + 3
        quarter_end = datetime.date(cursor.year, last_month, calendar.monthrange(cursor.year, last_month)[1])
        periods.append((cursor, min(quarter_end, end), None))
        cursor = quarter_end + datetime.timedelta(days=1)
    # A stub of less than a month at either end joins its neighbour: nobody reports on one day of work.
    if len(periods) > 1 and (periods[0][1] - periods[0][0]).days < SHORTEST_PERIOD_DAYS:
        periods[:2] = [(periods[0][0], periods[1][1], None)]
    if len(periods) > 1 and (periods[-1][1] - periods[-1][0]).days < SHORTEST_PERIOD_DAYS:
        periods[-2:] = [(periods[-2][0], periods[-1][1], None)]
    return periods


def _milestone_periods(grant):
    """One period per milestone: from the day after the previous milestone's due date (or the start) to its own."""
    periods, cursor = [], grant.start_date
    for milestone in grant.milestones.order_by("due_date", "id"):
        end = max(milestone.due_date, cursor)
        periods.append((cursor, end, milestone))
        cursor = end + datetime.timedelta(days=1)
    return periods


def report_schedule_plan(grant):
    """The reports a grant owes, as unsaved rows numbered 1..n (the final report last)."""
    if grant.report_frequency == ReportFrequency.PER_MILESTONE:
        periods, kind = _milestone_periods(grant), ReportKind.MILESTONE
    else:
        periods, kind = _quarters(grant.start_date, grant.end_date), ReportKind.PERIODIC
    due = datetime.timedelta(days=PERIODIC_DUE_DAYS)
    reports = [
        ProgressReport(grant=grant, kind=kind, milestone=m, period_start=start, period_end=end, due_date=end + due)
        for start, end, m in periods
    ]
    reports.append(
        ProgressReport(
            grant=grant,
            kind=ReportKind.FINAL,
            period_start=grant.start_date,
            period_end=grant.end_date,
            due_date=grant.end_date + datetime.timedelta(days=FINAL_DUE_DAYS),
        )
    )
    for number, report in enumerate(reports, start=1):
        report.number = number
    return reports


@transaction.atomic
def report_schedule_create(*, actor, grant):
    """Create the grant's report schedule when its agreement is signed. Safe to call again: a grant that has its
    schedule keeps it (reports already written are never replaced)."""
    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    existing = list(ProgressReport.objects.filter(grant=grant).order_by("number"))
    if existing:
        return existing
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        raise ApplicationError(_("The report schedule is made when the agreement is signed."), code="not_signed")
    if not can_manage_grant(actor, grant):
        raise ApplicationError(_("You may not plan this grant's reports."), code="not_allowed")
    reports = report_schedule_plan(grant)
    for report in reports:
        report.full_clean(exclude=["grant"])
    ProgressReport.objects.bulk_create(reports)
    audit_record(
        actor=actor,
        action="grants.report.scheduled",
        target=grant,
        data={"frequency": grant.report_frequency, "reports": len(reports)},
    )
    return list(ProgressReport.objects.filter(grant=grant).order_by("number"))


def _untouched(report):
    """A draft nobody has written in yet (safe to remove when the schedule no longer asks for it)."""
    return report.status == ReportStatus.DRAFT and report.version == 1 and not report.narrative.strip()


def _renumber(reports):
    """Number the reports 1..n by due date, the final report last (two passes: numbers are unique per grant)."""
    ordered = sorted(reports, key=lambda r: (r.kind == ReportKind.FINAL, r.due_date, r.pk))
    for offset in (1000, 0):
        for number, report in enumerate(ordered, start=1):
            report.number = number + offset
            report.save(update_fields=["number"])


@transaction.atomic
def report_schedule_follow(*, actor, grant):
    """After an amendment: the schedule follows the grant's new end date and milestones. New periods are added,
    open reports move to their new dates, drafts nobody wrote in are dropped when no longer asked for, and reports
    already written are never removed. Returns what changed, as counts."""
    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    reports = list(ProgressReport.objects.select_for_update().filter(grant=grant))
    if not reports:
        return {}
    changed = {"added": 0, "moved": 0, "removed": 0}
    key = lambda r: (r.kind, r.milestone_id, r.period_start)  # noqa: E731
    existing = {key(r): r for r in reports}
    for planned in report_schedule_plan(grant):
        report = existing.pop(key(planned), None)  # the final report keeps its key: the start never moves
        if report is None:
            planned.number = 30000 - changed["added"]  # renumbered below
            planned.save()
            reports.append(planned)
            changed["added"] += 1
        elif report.status in OPEN_STATUSES and (report.period_end, report.due_date) != (
            planned.period_end,
            planned.due_date,
        ):
            report.period_end, report.due_date = planned.period_end, planned.due_date
            report.save(update_fields=["period_end", "due_date", "updated_at"])
            changed["moved"] += 1
    for report in existing.values():
        if _untouched(report) and report.kind != ReportKind.FINAL:
            reports.remove(report)
            report.delete()
            changed["removed"] += 1
    _renumber(reports)
    if any(changed.values()):
        audit_record(actor=actor, action="grants.report.schedule_changed", target=grant, data=changed)
    return changed


# --- Submission --------------------------------------------------------------------------------------------------
def _money(value):
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def report_missing_items(report, *, none_reached=False):
    """What still stops the report from being submitted, as (step, message) pairs; empty when complete.

    People reached: at least one row, or the grantee states on submitting that no one was reached in the period
    (kept in the submission's snapshot). Reads prefetched relations when present (REPORT_CONTENT_PREFETCH).
    """
    missing = []
    if not report.narrative.strip():
        missing.append(("progress", _("Describe what was done in this period.")))
    if report.percent_complete is None:
        missing.append(("progress", _("Say how much of the project is complete (%).")))
    people = sum(row.count for row in report.beneficiaries.all())
    if not people and not none_reached:
        missing.append(
            (
                "beneficiaries",
                _(
                    "Add the people reached in this period by community, sex and age band, or tick “No one was "
                    "reached in this period” when you submit."
                ),
            )
        )
    if people and none_reached:
        missing.append(
            (
                "beneficiaries",
                _("You ticked “No one was reached” but the report counts %(count)s people. Untick it or remove them.")
                % {"count": people},
            )
        )
    for item in report.expenditures.all():
        if not item.receipts.all():
            missing.append(
                (
                    "expenditures",
                    _("Attach the receipt of “%(what)s” (%(date)s, %(amount)s EUR).")
                    % {
                        "what": item.description,
                        "date": formats.date_format(item.spent_on, "d.m.Y"),
                        "amount": _money(item.amount),
                    },
                )
            )
    for item in report.contributions.all():
        if not item.evidence.all():
            missing.append(
                (
                    "cost_share",
                    _("Attach evidence of the contribution “%(what)s” (%(value)s EUR).")
                    % {"what": item.description, "value": _money(item.value)},
                )
            )
    return missing


@transaction.atomic
def report_submit(*, actor, report, version, none_reached=False):
    """Send the report to the programme. Keeps a snapshot of what was sent in the thread; submitting twice (a
    double click) changes nothing the second time."""
    fresh = locked_report(report)
    if fresh.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) and is_grantee(actor, fresh.grant):
        return fresh
    report = editable_report(report, actor=actor, version=version)
    prefetch_related_objects([report], *REPORT_CONTENT_PREFETCH)
    missing = report_missing_items(report, none_reached=none_reached)
    if missing:
        raise ApplicationError(
            ngettext(
                "The report was not submitted: %(count)s thing is missing. It is listed below.",
                "The report was not submitted: %(count)s things are missing. They are listed below.",
                len(missing),
            )
            % {"count": len(missing)},
            code="incomplete",
            extra={"missing": missing},
        )
    ReportMessage.objects.create(
        report=report,
        kind=ReportMessageKind.SUBMITTED,
        author=actor,
        snapshot=report_snapshot(report, none_reached=none_reached),
    )
    report.submitted_at = timezone.now()
    return transition(
        instance=report,
        to=ReportStatus.SUBMITTED,
        actor=actor,
        transitions=REPORT_TRANSITIONS,
        action="grants.report.submitted",
        data={"version": report.version, "none_reached": bool(none_reached)},
        save_fields=["submitted_at"],
    )


# --- Review ------------------------------------------------------------------------------------------------------
def _reviewable(report, *, actor):
    report = locked_report(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ApplicationError(
            _("Report %(number)s is now “%(status)s”: someone acted on it a moment ago. Nothing was changed.")
            % {"number": report.number, "status": report.get_status_display()},
            code="report_moved",
        )
    if not can_review_report(actor, report):
        raise ApplicationError(_("Only programme staff may review progress reports."), code="not_allowed")
    return report


def _queue_review_email(report, message):
    applicant = report.grant.application.applicant
    if applicant.email:
        email_queue(
            recipient=applicant.email,
            builder="grants.mail_reports.report_reviewed",
            args={"message_id": message.pk},
        )


@transaction.atomic
def report_accept(*, actor, report, comment=""):
    """Accept a submitted report; each milestone it reports completed becomes verified (source: report), so a
    tranche that waits for it can be approved."""
    report = _reviewable(report, actor=actor)
    comment = (comment or "").strip()
    message = ReportMessage.objects.create(report=report, kind=ReportMessageKind.ACCEPTED, author=actor, text=comment)
    report.accepted_at, report.accepted_by = timezone.now(), actor
    transition(
        instance=report,
        to=ReportStatus.ACCEPTED,
        actor=actor,
        transitions=REPORT_TRANSITIONS,
        action="grants.report.accepted",
        comment=comment,
        save_fields=["accepted_at", "accepted_by"],
    )
    for milestone in report.milestones_completed.order_by("due_date", "id"):
        milestone_verify(actor=actor, milestone=milestone, source=VerificationSource.REPORT, report=report)
    _queue_review_email(report, message)
    return report


@transaction.atomic
def report_request_revision(*, actor, report, comment):
    """Send a submitted report back to the grantee with what to change; the grantee revises and submits again."""
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(
            _("Write what the grantee should change: the comment is sent to them."),
            code="comment_required",
            extra={"field": "comment"},
        )
    report = _reviewable(report, actor=actor)
    message = ReportMessage.objects.create(
        report=report, kind=ReportMessageKind.REVISION_REQUESTED, author=actor, text=comment
    )
    transition(
        instance=report,
        to=ReportStatus.REVISION_REQUESTED,
        actor=actor,
        transitions=REPORT_TRANSITIONS,
        action="grants.report.revision_requested",
        comment=comment,
    )
    _queue_review_email(report, message)
    return report


# --- Reminders ---------------------------------------------------------------------------------------------------
def _reminder_windows(today):
    """Which due dates call for which reminder today. A run missed by the beat is caught up the next day(s)."""
    return {
        ReminderKind.WEEK_BEFORE: (today + datetime.timedelta(days=1), today + datetime.timedelta(days=WEEK)),
        ReminderKind.DUE_DAY: (today - datetime.timedelta(days=DUE_DAY_CATCH_UP_DAYS), today),
    }


def report_reminders_send(today=None):
    """Queue e-mails to grantees whose reports are not submitted: 7 days before the due date and on the due date,
    each kind once per report (the unique ReportReminder row makes a second run, or two at once, send nothing)."""
    today = today or timezone.localdate()
    queued = 0
    for kind, (first, last) in _reminder_windows(today).items():
        reports = (
            ProgressReport.objects.filter(
                status__in=OPEN_STATUSES, grant__status__in=REPORTING_GRANTS, due_date__range=(first, last)
            )
            .exclude(reminders__kind=kind)
            .select_related("grant__application__applicant")
        )
        for report in reports:
            queued += _remind(report, kind)
    return queued


def _remind(report, kind):
    applicant = report.grant.application.applicant
    if not applicant.email:
        return 0
    try:
        with transaction.atomic():
            ReportReminder.objects.create(report=report, kind=kind)
            email_queue(
                recipient=applicant.email,
                builder="grants.mail_reports.report_reminder",
                args={"report_id": report.pk, "kind": kind},
            )
    except IntegrityError:
        return 0  # another run sent it a moment ago
    return 1
