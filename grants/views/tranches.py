"""Tranches and milestones after signature: the panels of the staff and grantee grant pages, the tranche page
where finance approves and pays, the grantee's request, and in-kind deliveries.

Thin views: the forms shape input, grants.services.tranches decides and says why not.
"""

from django.contrib import messages
from django.db.models import DecimalField, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants import permissions
from grants.forms.tranches import (
    DeliveryForm,
    PaymentForm,
    TrancheApproveForm,
    TrancheReasonForm,
    TrancheRequestForm,
)
from grants.models import (
    GrantMilestone,
    GrantStatus,
    GrantTranche,
    InKindDelivery,
    InstrumentType,
    TranchePayment,
    TrancheStatus,
)
from grants.services import tranches as services
from grants.views.grants import StaffGrantMixin, grant_with_rows

ACTION_LABELS = {
    "grants.tranche.requested": gettext_lazy("Tranche requested"),
    "grants.tranche.returned": gettext_lazy("Tranche request sent back"),
    "grants.tranche.approved": gettext_lazy("Tranche approved"),
    "grants.tranche.approved_override": gettext_lazy("Tranche approved without a verified milestone"),
    "grants.tranche.payment_recorded": gettext_lazy("Payment recorded"),
    "grants.tranche.paid": gettext_lazy("Tranche paid in full"),
    "grants.tranche.cancelled": gettext_lazy("Tranche cancelled"),
    "grants.milestone.verified": gettext_lazy("Milestone verified"),
    "grants.grant.delivery_recorded": gettext_lazy("In-kind delivery recorded"),
}
ZERO = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))


def tranche_rows(grant):
    """The grant's tranches with what is paid and left, their payments, milestone and people (4 queries)."""
    tranches = list(
        GrantTranche.objects.filter(grant=grant)
        .select_related("milestone", "requested_by", "approved_by")
        .annotate(paid=Coalesce(Sum("payments__amount"), ZERO))
        .prefetch_related(Prefetch("payments", queryset=TranchePayment.objects.select_related("recorded_by")))
        .order_by("number")
    )
    for tranche in tranches:
        tranche.grant = grant
        tranche.remaining = tranche.amount - tranche.paid
        tranche.condition_met = services.tranche_milestone_verified(tranche)
    return tranches


def milestone_rows(grant):
    return list(
        GrantMilestone.objects.filter(grant=grant).select_related("verified_by", "verified_report", "verified_visit")
    )


def _totals(grant, tranches, deliveries):
    if grant.instrument == InstrumentType.IN_KIND:
        paid = sum((d.value for d in deliveries), 0)
    else:
        paid = sum((t.paid for t in tranches), 0)
    return {"approved": grant.amount, "paid": paid, "remaining": grant.amount - paid}


def _panel(request, grant, *, staff):
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        return None
    user = request.user
    tranches = tranche_rows(grant)
    for tranche in tranches:
        tranche.may_request = permissions.can_request_tranche(user, tranche)
        tranche.may_act = staff and (
            permissions.can_approve_tranche(user, tranche)
            or permissions.can_pay_tranche(user, tranche)
            or permissions.can_cancel_tranche(user, tranche)
        )
    in_kind = grant.instrument == InstrumentType.IN_KIND
    deliveries = list(grant.deliveries.select_related("recorded_by")) if in_kind else []
    return {
        "template": "grants/staff/_grant_panel_tranches.html" if staff else "grants/my/_panel_tranches.html",
        "title": _("Milestones and payments"),
        "anchor": "payments",
        "milestones": milestone_rows(grant),
        "tranches": tranches,
        "in_kind": in_kind,
        "deliveries": deliveries,
        "totals": _totals(grant, tranches, deliveries),
        "may_deliver": staff and permissions.can_record_delivery(user, grant),
        "problems": services_problems(grant, tranches),
    }


def services_problems(grant, tranches):
    from grants.services.grants import grant_tranche_problems

    return [] if grant.instrument == InstrumentType.IN_KIND else grant_tranche_problems(grant, tranches)


def tranches_panel(request, grant):
    return _panel(request, grant, staff=True)


def my_tranches_panel(request, grant):
    return _panel(request, grant, staff=False)


# --- The staff tranche page ----------------------------------------------------------------------------------------
ACTIONS = {
    "request": (TrancheRequestForm, permissions.can_request_tranche),
    "approve": (TrancheApproveForm, permissions.can_approve_tranche),
    "return": (TrancheReasonForm, permissions.can_approve_tranche),
    "pay": (PaymentForm, permissions.can_pay_tranche),
    "cancel": (TrancheReasonForm, permissions.can_cancel_tranche),
}
DONE_MESSAGES = {
    "request": gettext_lazy("The tranche was requested; finance has been asked to approve it."),
    "approve": gettext_lazy("The tranche was approved; it can now be paid."),
    "return": gettext_lazy("The request was sent back with your reason."),
    "pay": gettext_lazy("The payment was recorded."),
    "cancel": gettext_lazy("The tranche was cancelled."),
}


class TrancheView(StaffGrantMixin, View):
    """One tranche: its condition, payments and history, with the actions the person may take."""

    def get_tranche(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant)
        tranche = next((t for t in tranche_rows(grant) if t.pk == self.kwargs["tranche_pk"]), None)
        if tranche is None:
            raise Http404
        return grant, tranche

    def get(self, request, pk, tranche_pk):
        grant, tranche = self.get_tranche()
        return self.render_page(grant, tranche)

    def render_page(self, grant, tranche, *, bound=None, status=200):
        user = self.request.user
        forms = {}
        for name, (form_class, rule) in ACTIONS.items():
            if not rule(user, tranche):
                continue
            if bound and bound[0] == name:
                forms[name] = bound[1]
            elif name == "pay":
                forms[name] = PaymentForm(prefix=name, remaining=tranche.remaining)
            else:
                forms[name] = form_class(prefix=name)
        labels = {**dict(TrancheStatus.choices)}
        timeline = list(audit_entries_for(target=tranche)[:50])
        for entry in timeline:
            entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
            entry.from_label = labels.get(entry.from_status, entry.from_status)
            entry.to_label = labels.get(entry.to_status, entry.to_status)
        context = {"grant": grant, "tranche": tranche, "forms": forms, "timeline": timeline}
        return render(self.request, "grants/staff/tranche_detail.html", context, status=status)

    def post(self, request, pk, tranche_pk):
        grant, tranche = self.get_tranche()
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        form_class, rule = ACTIONS[action]
        if not rule(request.user, tranche):
            if tranche.status in (TrancheStatus.APPROVED, TrancheStatus.PAID, TrancheStatus.CANCELLED) or (
                action == "request" and tranche.status == TrancheStatus.REQUESTED
            ):
                messages.warning(request, services.tranche_state_message(tranche))
                return redirect("staff:grant_tranche", pk=grant.pk, tranche_pk=tranche.pk)
            raise Http404
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                self.perform(action, tranche, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
                conflict = error.code == "tranche_moved"
                return self.render_page(grant, tranche, bound=(action, form), status=409 if conflict else 400)
            messages.success(request, str(DONE_MESSAGES[action]))
            return redirect("staff:grant_tranche", pk=grant.pk, tranche_pk=tranche.pk)
        messages.error(request, _("Nothing was saved. Correct the fields marked in red and try again."))
        return self.render_page(grant, tranche, bound=(action, form), status=400)

    def perform(self, action, tranche, data):
        actor = self.request.user
        if action == "request":
            return services.tranche_request(actor=actor, tranche=tranche, comment=data["comment"])
        if action == "approve":
            return services.tranche_approve(actor=actor, tranche=tranche, override_reason=data["override_reason"])
        if action == "return":
            return services.tranche_return(actor=actor, tranche=tranche, reason=data["reason"])
        if action == "cancel":
            return services.tranche_cancel(actor=actor, tranche=tranche, reason=data["reason"])
        return services.tranche_payment_record(
            actor=actor,
            tranche=tranche,
            paid_on=data["paid_on"],
            amount=data["amount"],
            bank_reference=data["bank_reference"],
        )


# --- The grantee's request -------------------------------------------------------------------------------------
def my_tranche_request(request, pk, tranche_pk):
    """The grantee asks for a planned tranche (POST from the panel on their grant page)."""
    if request.method != "POST" or not request.user.is_authenticated:
        raise Http404
    grant = grant_with_rows(pk=pk, application__applicant=request.user)
    tranche = get_object_or_404(GrantTranche.objects.select_related("milestone"), pk=tranche_pk, grant=grant)
    tranche.grant = grant
    form = TrancheRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was not sent: the comment is too long (at most 2,000 characters)."))
    else:
        try:
            services.tranche_request(actor=request.user, tranche=tranche, comment=form.cleaned_data["comment"])
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request was sent. The programme checks the milestone and pays."))
    return redirect(reverse("my_grant_detail", kwargs={"pk": grant.pk}) + "#payments")


# --- In-kind deliveries -------------------------------------------------------------------------------------------
class DeliveryCreateView(StaffGrantMixin, View):
    def setup_grant(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant, permission=permissions.can_record_delivery)
        return grant

    def get(self, request, pk):
        return self._render(self.setup_grant(), DeliveryForm())

    def post(self, request, pk):
        grant = self.setup_grant()
        form = DeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.delivery_record(actor=request.user, grant=grant, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error("handover_file" if error.code.startswith("file") else None, error.message)
            else:
                messages.success(request, _("The delivery was recorded."))
                return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#payments")
        messages.error(request, _("The delivery was not recorded. Correct what is marked and choose the file again."))
        return self._render(grant, form, status=400)

    def _render(self, grant, form, status=200):
        return render(self.request, "grants/staff/delivery_form.html", {"grant": grant, "form": form}, status=status)


def _handover_response(delivery):
    response = FileResponse(
        delivery.handover_file.open("rb"), as_attachment=True, filename=delivery.handover_name or "handover"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class DeliveryFileView(StaffGrantMixin, View):
    def get(self, request, pk, delivery_pk):
        return _handover_response(get_object_or_404(InKindDelivery, pk=delivery_pk, grant_id=pk))


def my_delivery_file(request, pk, delivery_pk):
    if not request.user.is_authenticated:
        raise Http404
    delivery = get_object_or_404(
        InKindDelivery, pk=delivery_pk, grant_id=pk, grant__application__applicant=request.user
    )
    return _handover_response(delivery)
