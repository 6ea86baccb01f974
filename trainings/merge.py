"""When two records of one human are merged and both were enrolled in the same training, their enrolments become
one: attendance, scores, completion and certificate are combined instead of refusing the merge."""

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from trainings.models import Certificate, Enrolment


def _combine(kept, merged):
    """Move what `merged` knows into `kept`: a session marked on either counts as attended."""
    kept_attendance = {row.session_id: row for row in kept.attendance.all()}
    for row in merged.attendance.all():
        mine = kept_attendance.get(row.session_id)
        if mine is None:
            row.enrolment = kept
            row.save(update_fields=["enrolment"])
        elif row.present and not mine.present:
            mine.present = True
            mine.save(update_fields=["present"])
    for field in ("pre_test_score", "post_test_score"):
        if getattr(kept, field) is None:
            setattr(kept, field, getattr(merged, field))
    kept.completed = kept.completed or merged.completed
    certificates = {c.enrolment_id: c for c in Certificate.objects.filter(enrolment__in=[kept, merged])}
    if kept.pk in certificates and merged.pk in certificates:
        raise ApplicationError(
            _(
                "Both records hold a certificate for %(training)s (%(first)s and %(second)s), and a person can have "
                "only one per training. Ask an administrator which certificate stays, then merge again."
            )
            % {
                "training": kept.event.course,
                "first": certificates[kept.pk].number,
                "second": certificates[merged.pk].number,
            },
            code="two_certificates",
        )
    if merged.pk in certificates:
        certificate = certificates[merged.pk]
        certificate.enrolment = kept
        certificate.save(update_fields=["enrolment", "updated_at"])
    kept.save()


def combine_enrolments(sender, *, keep, merge, actor, **kwargs):
    """Receiver of accounts.signals.person_merging (connected in TrainingsConfig.ready)."""
    doubles = Enrolment.objects.select_for_update().filter(
        person=merge, event__in=Enrolment.objects.filter(person=keep).values("event")
    )
    for merged in doubles.select_related("event__course"):
        kept = (
            Enrolment.objects.select_for_update()
            .select_related("event__course")
            .get(person=keep, event_id=merged.event_id)
        )
        _combine(kept, merged)
        audit_record(
            actor=actor,
            action="trainings.enrolment.combined",
            target=kept.event,
            data={"kept": kept.pk, "merged": merged.pk, "person": keep.pk},
        )
        merged.delete()
