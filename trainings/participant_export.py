"""The participant list of one training event in the layout of the donor's training system (TraiNet-like columns).

The donor's system reads English column names and English values, so the file is written in English whatever the
page's language. Birth year and community are personal data: their columns are left out for users who may not see
personal data (`accounts.permissions.can_view_personal_data`).

The file is built synchronously, inside the request: an event has at most `capacity` participants (a few hundred
at most), so the work is bounded and small; exports of unbounded lists go through Celery (businesses/exports.py).
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.permissions import can_view_personal_data
from core.spreadsheets import write_xlsx

HEADERS = (
    ("participant_id", _("Participant ID"), False),
    ("first_name", _("First name"), False),
    ("last_name", _("Last name"), False),
    ("sex", _("Sex"), False),
    ("birth_year", _("Birth year"), True),
    ("community", _("Community"), True),
    ("municipality", _("Municipality"), False),
    ("event_title", _("Event title"), False),
    ("start_date", _("Start date"), False),
    ("end_date", _("End date"), False),
    ("contact_hours", _("Contact hours"), False),
    ("completed", _("Completed"), False),
)


def participant_columns(*, user):
    """The column keys this user receives (personal ones only for those who may see personal data)."""
    personal = can_view_personal_data(user)
    return [key for key, _label, is_personal in HEADERS if personal or not is_personal]


def participant_rows(*, event, columns):
    """One row per enrolment of `event`, in the order of `columns` (two queries)."""
    enrolments = event.enrolments.select_related("person", "person__municipality").order_by(
        "person__last_name", "person__first_name", "pk"
    )
    title = event.course.title_en or event.course.title_sq
    for enrolment in enrolments:
        person = enrolment.person
        values = {
            "participant_id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "sex": str(person.get_sex_display()),
            "birth_year": person.birth_year,
            "community": str(person.get_community_display()),
            "municipality": person.municipality.name_en if person.municipality else "",
            "event_title": title,
            "start_date": event.start_date,
            "end_date": event.end_date,
            "contact_hours": float(event.contact_hours),
            "completed": pgettext("completed", "Yes") if enrolment.completed else pgettext("completed", "No"),
        }
        yield [values[key] for key in columns]


def participant_export_xlsx(*, event, user):
    """The XLSX bytes of the event's participant list for `user`; returns (bytes, row count)."""
    columns = participant_columns(user=user)
    labels = dict((key, label) for key, label, _personal in HEADERS)
    with translation.override("en"):
        headers = [str(labels[key]) for key in columns]
        rows = list(participant_rows(event=event, columns=columns))
        return write_xlsx(headers, rows, title="Participants")
