"""`{% event_certificates event as certificate_list %}`: rows and the count of failed ones (one query)."""

from django import template

from trainings.models import Certificate, CertificateStatus

register = template.Library()


@register.simple_tag
def event_certificates(event):
    rows = list(
        Certificate.objects.filter(enrolment__event=event).select_related("enrolment__person").order_by("number")
    )
    return {"rows": rows, "failed": sum(1 for row in rows if row.status == CertificateStatus.FAILED)}
