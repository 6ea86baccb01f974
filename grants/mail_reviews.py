"""E-mails about reviews, built by the outbox (core.emails) in their reader's language.

Each builder takes ids, loads what it needs and returns an EmailMessage, or None when the event no longer calls
for the message. No message to an applicant ever names a reviewer.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grants.models import AssignmentStatus, ReviewAssignment


def _assignment(assignment_id):
    return (
        ReviewAssignment.objects.select_related("application__call", "reviewer", "assigned_by")
        .filter(pk=assignment_id)
        .first()
    )


def _link(name, **kwargs):
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def conflict_declared(assignment_id):
    """Tells the officer who assigned the review that the reviewer declared a conflict, so they assign another."""
    assignment = _assignment(assignment_id)
    if assignment is None or assignment.status != AssignmentStatus.CONFLICT:
        return None
    application = assignment.application
    with translation.override(assignment.assigned_by.language or settings.LANGUAGE_CODE):
        subject = "[AKT-LS] " + _("Conflict of interest declared on %(reference)s") % {
            "reference": application.reference
        }
        body = _(
            "Hello,\n\n"
            "%(reviewer)s declared a conflict of interest with application %(reference)s (“%(title)s”) and will "
            "not review it. The assignment is closed.\n\n"
            "Their note: %(note)s\n\n"
            "Assign another reviewer here:\n%(link)s\n\n"
            "The AKT-LS Grants team"
        ) % {
            "reviewer": assignment.reviewer,
            "reference": application.reference,
            "title": application.title,
            "note": assignment.conflict_note or "—",
            "link": _link("staff:reviews_application", pk=application.pk),
        }
    return EmailMessage(subject=subject, body=body)


def review_assigned(assignment_id):
    """Tells a reviewer that an application waits for their declaration; None once it no longer does."""
    assignment = _assignment(assignment_id)
    if assignment is None or assignment.status != AssignmentStatus.ASSIGNED:
        return None
    with translation.override(assignment.reviewer.language or settings.LANGUAGE_CODE):
        subject = "[AKT-LS] " + _("An application to review: %(title)s") % {"title": assignment.application.title}
        due = assignment.due_date.strftime("%d.%m.%Y") if assignment.due_date else "—"
        body = _(
            "Hello,\n\n"
            "You were asked to review the application “%(title)s” (call %(call)s) by %(due)s.\n\n"
            "Before you can read it, declare whether you have a conflict of interest with the applicant or its "
            "partners:\n%(link)s\n\n"
            "The AKT-LS Grants team"
        ) % {
            "title": assignment.application.title,
            "call": assignment.application.call.code,
            "due": due,
            "link": _link("review_declare", pk=assignment.pk),
        }
    return EmailMessage(subject=subject, body=body)
