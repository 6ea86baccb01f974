"""E-mails about progress reports to a grantee, built in the grantee's language when the outbox sends them."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from grants.models import ProgressReport, ReminderKind, ReportMessage, ReportMessageKind
from grants.selectors_reports import OPEN_STATUSES
from grants.services.grants import grantee_language


def _link(name, report):
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"pk": report.grant_id, "report_pk": report.pk})


def _values(report):
    return {
        "number": report.number,
        "grant": report.grant.number,
        "kind": report.get_kind_display(),
        "start": formats.date_format(report.period_start, "d.m.Y"),
        "end": formats.date_format(report.period_end, "d.m.Y"),
        "due": formats.date_format(report.due_date, "d.m.Y"),
    }


def report_reminder(report_id, kind):
    """A reminder that a report is due (in a week, or today); None if it was submitted since it was queued."""
    report = ProgressReport.objects.select_related("grant__application__applicant").filter(pk=report_id).first()
    if report is None or report.status not in OPEN_STATUSES:
        return None
    with translation.override(grantee_language(report.grant)):
        values = {**_values(report), "link": _link("my_report_edit", report)}
        if kind == ReminderKind.DUE_DAY:
            subject = _("Progress report %(number)s of grant %(grant)s is due today") % values
            first = _(
                "Your progress report %(number)s (%(kind)s, %(start)s – %(end)s) of grant %(grant)s is due today."
            )
        else:
            subject = _("Progress report %(number)s of grant %(grant)s is due on %(due)s") % values
            first = _(
                "Your progress report %(number)s (%(kind)s, %(start)s – %(end)s) of grant %(grant)s is due on %(due)s."
            )
        body = (
            (first % values)
            + "\n\n"
            + _("Write it and submit it on your grant's page; a draft saves as you go.\n\nYour report: %(link)s\n")
            % values
        )
    return EmailMessage(subject="[AKT-LS] " + subject, body=body)


def report_reviewed(message_id):
    """The officer accepted the report, or asked for a revision (with the comment)."""
    message = (
        ReportMessage.objects.select_related("report__grant__application__applicant").filter(pk=message_id).first()
    )
    if message is None:
        return None
    report = message.report
    with translation.override(grantee_language(report.grant)):
        values = {**_values(report), "link": _link("my_report_detail", report), "comment": message.text.strip()}
        if message.kind == ReportMessageKind.ACCEPTED:
            subject = _("Progress report %(number)s of grant %(grant)s was accepted") % values
            body = _("The programme accepted your progress report %(number)s of grant %(grant)s.") % values
            if values["comment"]:
                body += "\n\n" + _("Comment:\n%(comment)s") % values
        else:
            subject = _("Progress report %(number)s of grant %(grant)s needs a revision") % values
            body = (
                _(
                    "The programme asks you to revise your progress report %(number)s of grant %(grant)s:\n\n"
                    "%(comment)s\n\nChange the report and submit it again."
                )
                % values
            )
        body += "\n\n" + _("Your report: %(link)s\n") % values
    return EmailMessage(subject="[AKT-LS] " + subject, body=body)
