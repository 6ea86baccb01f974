"""E-mail reminders of progress reports, with time frozen: seven days before the due date and on it, once each,
only for reports not submitted, in the grantee's language; and the daily beat task that sends them."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from akt_ls.celery import app as celery_app
from core.models import OutgoingEmail
from grants.mail_reports import report_reminder
from grants.models import ReminderKind, ReportReminder, ReportStatus
from grants.report_tasks import send_report_reminders
from grants.services.reports import report_reminders_send
from tests.grants.report_factories import ProgressReportFactory

pytestmark = pytest.mark.django_db
KOSOVO = zoneinfo.ZoneInfo("Europe/Belgrade")
DUE = datetime.date(2027, 7, 15)


def _at(day, hour=7):
    """Time frozen on `day` at 07:00 in Kosovo, when the beat runs the task."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=KOSOVO), tick=False)


def _report(**kwargs):
    return ProgressReportFactory(
        grant__start_date=datetime.date(2027, 1, 1),
        grant__end_date=datetime.date(2027, 12, 31),
        period_start=datetime.date(2027, 4, 1),
        period_end=datetime.date(2027, 6, 30),
        due_date=DUE,
        **kwargs,
    )


def _reminders(report):
    return list(
        OutgoingEmail.objects.filter(builder="grants.mail_reports.report_reminder", args__report_id=report.pk)
        .order_by("id")
        .values_list("args__kind", flat=True)
    )


def test_a_reminder_goes_out_seven_days_before_and_on_the_due_date_once_each():
    report = _report()
    sent_on = {}
    for offset in range(-10, 4):
        day = DUE + datetime.timedelta(days=offset)
        with _at(day):
            for _ in range(2):  # the task running twice on one day sends nothing more
                if report_reminders_send():
                    sent_on[offset] = _reminders(report)[-1]
    assert sent_on == {-7: ReminderKind.WEEK_BEFORE, 0: ReminderKind.DUE_DAY}
    assert _reminders(report) == [ReminderKind.WEEK_BEFORE, ReminderKind.DUE_DAY]
    assert ReportReminder.objects.filter(report=report).count() == 2
    assert (
        OutgoingEmail.objects.get(args__kind=ReminderKind.DUE_DAY).recipient == report.grant.application.applicant.email
    )


def test_a_day_missed_by_the_beat_is_caught_up_the_next_day_and_only_once():
    report = _report()
    with _at(DUE + datetime.timedelta(days=1)):
        assert report_reminders_send() == 1
        assert report_reminders_send() == 0
    assert _reminders(report) == [ReminderKind.DUE_DAY]


@pytest.mark.parametrize("status", [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
def test_a_submitted_report_gets_no_reminder(status):
    report = _report(status=status)
    with _at(DUE - datetime.timedelta(days=7)):
        assert report_reminders_send() == 0
    with _at(DUE):
        assert report_reminders_send() == 0
    assert _reminders(report) == []


def test_a_report_sent_back_for_revision_is_reminded_like_a_draft():
    report = _report(status=ReportStatus.REVISION_REQUESTED)
    with _at(DUE):
        assert report_reminders_send() == 1
    assert _reminders(report) == [ReminderKind.DUE_DAY]


def test_the_reminder_is_written_in_the_grantees_language_and_cancelled_once_submitted():
    report = _report()
    applicant = report.grant.application.applicant
    applicant.language = "sr-latn"
    applicant.save()
    with _at(DUE - datetime.timedelta(days=7)):
        report_reminders_send()
        email = OutgoingEmail.objects.get(builder="grants.mail_reports.report_reminder")
        message = report_reminder(**email.args)
    assert f"/sr-latn/my/grants/{report.grant_id}/reports/{report.pk}/edit/" in message.body
    assert "15.07.2027" in message.subject and report.grant.number in message.subject
    report.status = ReportStatus.SUBMITTED
    report.save()
    assert report_reminder(**email.args) is None  # the outbox cancels it instead of sending a stale reminder


def test_the_daily_beat_runs_the_registered_reminder_task():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == send_report_reminders.name]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert schedule.hour == {7} and schedule.minute == {0}  # once a day, in the morning
    celery_app.loader.import_default_modules()
    assert send_report_reminders.name in celery_app.tasks
    report = _report()
    with _at(DUE):
        send_report_reminders.delay()
    assert _reminders(report) == [ReminderKind.DUE_DAY]
