"""Certificate pages: issue for all completers of an event, retry failed ones, download (staff), and the public
verification page. Thin views over trainings/certificates.py; refusals of permission answer 404."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from trainings import certificates as services
from trainings.models import Certificate, CertificateStatus, Enrolment, TrainingEvent
from trainings.permissions import can_manage_trainings, can_view_trainings


class CertificatesIssueView(PermissionRequiredMixin, View):
    """One POST: a certificate for every completer who has none; a second click issues nothing twice."""

    permission = staticmethod(can_manage_trainings)

    def post(self, request, pk):
        event = get_object_or_404(TrainingEvent, pk=pk)
        try:
            issued = services.certificates_request(actor=request.user, event=event)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if issued:
                messages.success(
                    request,
                    _("%(count)s certificates are being prepared; refresh the page in a minute.")
                    % {"count": len(issued)},
                )
            else:
                messages.info(request, _("Everyone who completed already has a certificate."))
        return redirect("staff:training_event_detail", pk=event.pk)


class CertificatesRetryView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_trainings)

    def post(self, request, pk):
        event = get_object_or_404(TrainingEvent, pk=pk)
        count = services.certificates_retry_failed(actor=request.user, event=event)
        messages.success(request, _("%(count)s certificates are being prepared again.") % {"count": count})
        return redirect("staff:training_event_detail", pk=event.pk)


class CertificateIssueOneView(PermissionRequiredMixin, View):
    """One participant's certificate; a second click finds it issued and issues nothing twice."""

    permission = staticmethod(can_manage_trainings)

    def post(self, request, pk, enrolment_pk):
        enrolment = get_object_or_404(Enrolment.objects.select_related("person"), pk=enrolment_pk, event_id=pk)
        had_one = Certificate.objects.filter(enrolment=enrolment).exists()
        try:
            certificate = services.certificate_request(actor=request.user, enrolment=enrolment)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            name = services.participant_name(enrolment.person)
            if had_one:
                messages.info(
                    request,
                    _("%(name)s has a certificate already (%(number)s); nothing was issued again.")
                    % {"name": name, "number": certificate.number},
                )
            else:
                messages.success(
                    request,
                    _("Certificate %(number)s of %(name)s is being prepared; refresh the page in a minute.")
                    % {"name": name, "number": certificate.number},
                )
        return redirect("staff:training_event_detail", pk=pk)


class CertificateRetryOneView(PermissionRequiredMixin, View):
    """The "Try again" button of one certificate: a failed one, or one stuck in the queue for more than 15 minutes."""

    permission = staticmethod(can_manage_trainings)

    def post(self, request, pk, certificate_pk):
        certificate = get_object_or_404(Certificate, pk=certificate_pk, enrolment__event_id=pk)
        certificate = services.certificate_retry(actor=request.user, certificate=certificate)
        if certificate.status == CertificateStatus.READY:
            messages.info(request, _("Certificate %(number)s is ready already.") % {"number": certificate.number})
        else:
            messages.success(
                request,
                _("Certificate %(number)s is being prepared again; refresh the page in a minute.")
                % {"number": certificate.number},
            )
        return redirect("staff:training_event_detail", pk=pk)


class CertificateDownloadView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_trainings)

    def get(self, request, pk, certificate_pk):
        certificate = get_object_or_404(
            Certificate, pk=certificate_pk, enrolment__event_id=pk, status=CertificateStatus.READY
        )
        if not certificate.file:
            raise Http404
        response = FileResponse(
            certificate.file.open("rb"),
            as_attachment=True,
            filename=f"{certificate.number}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def certificate_verify(request, code):
    """Public: whether a certificate is valid, with its number, name, course and dates only."""
    certificate = services.certificate_for_verification(code)
    if certificate is None:
        raise Http404
    enrolment = certificate.enrolment
    context = {
        "certificate": certificate,
        "name": services.participant_name(enrolment.person),
        "course": enrolment.event.course.title,
        "event": enrolment.event,
    }
    response = render(request, "trainings/certificate_verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
