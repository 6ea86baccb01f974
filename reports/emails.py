"""E-mails about report runs, built in the requester's language when the outbox sends them."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from reports.models import ReportRun, RunStatus


def _language(user):
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def report_ready(run_id):
    """The report a person asked for is ready, with a link to its page; None if the run is gone or not ready."""
    run = ReportRun.objects.select_related("requested_by", "municipality").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.SUCCEEDED or run.requested_by is None:
        return None
    from reports.services.runs import run_period

    with translation.override(_language(run.requested_by)):
        period = run_period(run)
        values = {
            "report": run.get_kind_display(),
            "period": period.label,
            "dates": period.dates_label,
            "format": run.get_format_display(),
            "size": filesizeformat(run.size or 0),
            "asked": formats.date_format(timezone.localtime(run.created_at), "d.m.Y H:i"),
            "link": settings.SITE_URL.rstrip("/") + reverse("staff:report_run_detail", args=[run.pk]),
        }
        if run.municipality_id:
            values["report"] = f"{values['report']} – {run.municipality.name}"
        subject = _("Your report is ready: %(report)s, %(period)s") % values
        body = (
            _(
                "The report you asked for on %(asked)s is ready:\n\n"
                "%(report)s\nPeriod: %(period)s (%(dates)s)\nFormat: %(format)s, %(size)s\n\n"
                "Download it from its page: %(link)s\n"
            )
            % values
        )
    return EmailMessage(subject="[AKT-LS] " + subject, body=body)
