"""Amendments of a signed grant: the panel on the grant's page, the proposal form, and the amendment's page with
the grant before → after side by side, its own history and the decision.

Thin views: the forms shape input, grants.services.amendments checks the plan and says what is wrong.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.selectors import audit_entries_for
from grants import permissions
from grants.forms.amendments import AmendmentDecisionForm, AmendmentProposeForm, AmendmentWithdrawForm
from grants.models import AmendmentStatus, GrantAmendment, GrantStatus, GrantTranche
from grants.services import amendments as services
from grants.views.grants import StaffGrantMixin, grant_with_rows

ACTION_LABELS = {
    "grants.amendment.proposed": gettext_lazy("Amendment proposed"),
    "grants.amendment.approved": gettext_lazy("Amendment approved"),
    "grants.amendment.rejected": gettext_lazy("Amendment rejected"),
    "grants.amendment.withdrawn": gettext_lazy("Amendment withdrawn"),
}
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def amendments_panel(request, grant):
    """The grant's amendments, newest first, and the button to propose one (2 queries); None before signature."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE:
        return None
    amendments = list(
        GrantAmendment.objects.filter(grant=grant).select_related("proposed_by", "decided_by").order_by("-number")
    )
    pending = next((a for a in amendments if a.status == AmendmentStatus.PROPOSED), None)
    return {
        "template": "grants/staff/_grant_panel_amendments.html",
        "title": _("Amendments"),
        "anchor": "amendments",
        "amendments": amendments,
        "pending": pending,
        "may_propose": pending is None and permissions.can_propose_amendment(request.user, grant),
    }


def _tranches_with_paid(grant):
    return list(
        GrantTranche.objects.filter(grant=grant)
        .annotate(paid=Coalesce(Sum("payments__amount"), ZERO))
        .order_by("number")
    )


class AmendmentCreateView(StaffGrantMixin, View):
    """Propose an amendment: every current budget line, unpaid tranche and milestone with an input for its new value."""

    def setup_grant(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant, permission=permissions.can_propose_amendment)
        return grant

    def make_form(self, grant, data=None):
        return AmendmentProposeForm(
            data,
            grant=grant,
            lines=list(grant.budget_lines.all()),
            milestones=list(grant.milestones.all()),
            tranches=_tranches_with_paid(grant),
        )

    def get(self, request, pk):
        grant = self.setup_grant()
        return self._render(grant, self.make_form(grant))

    def post(self, request, pk):
        grant = self.setup_grant()
        form = self.make_form(grant, request.POST)
        if form.is_valid():
            try:
                amendment = services.amendment_propose(
                    actor=request.user,
                    grant=grant,
                    reason=form.cleaned_data["reason"],
                    new_amount=form.cleaned_data["new_amount"],
                    new_end_date=form.cleaned_data["new_end_date"],
                    changes=form.changes(),
                )
            except ApplicationError as error:
                for problem in error.extra.get("problems", [error.message]):
                    form.add_error(None, problem)
            else:
                messages.success(request, _("The amendment was proposed; a manager decides on it."))
                return redirect("staff:grant_amendment", pk=grant.pk, amendment_pk=amendment.pk)
        messages.error(request, _("The amendment was not proposed. Correct what is marked and send it again."))
        return self._render(grant, form, status=400)

    def _render(self, grant, form, status=200):
        context = {"grant": grant, "form": form}
        return render(self.request, "grants/staff/amendment_form.html", context, status=status)


# --- The amendment's page -----------------------------------------------------------------------------------------
def _decimal(value):
    return None if value in (None, "") else Decimal(value)


def _day(value):
    return None if not value else datetime.date.fromisoformat(value)


def _pairs(before_rows, after_rows):
    """(before row or None, after row) for every row after the amendment, matched by id."""
    old = {row["id"]: row for row in before_rows}
    return [(old.get(row.get("id")), row) for row in after_rows]


def _milestone_name(snapshot):
    names = {m["id"]: m["description"] for m in snapshot["milestones"] if m.get("id") is not None}
    new = {m["new"]: m["description"] for m in snapshot["milestones"] if m.get("id") is None}
    return lambda row: names.get(row.get("milestone")) or new.get(row.get("new_milestone"), "")


def amendment_comparison(before, after):
    """Rows for the before → after tables: terms, budget lines, milestones and tranches, each marked if changed."""
    terms = [
        {
            "label": _("Grant amount (EUR)"),
            "before": _decimal(before["amount"]),
            "after": _decimal(after["amount"]),
            "money": True,
        },
        {"label": _("End date"), "before": _day(before["end_date"]), "after": _day(after["end_date"])},
    ]
    for row in terms:
        row["changed"] = row["before"] != row["after"]
    budget = [
        {
            "description": a["description"],
            "before": _decimal(b["grant_amount"]) if b else None,
            "after": _decimal(a["grant_amount"]),
            "changed": b is None or b["grant_amount"] != a["grant_amount"],
        }
        for b, a in _pairs(before["budget"], after["budget"])
    ]
    milestones = [
        {
            "before": {"description": b["description"], "due": _day(b["due_date"])} if b else None,
            "after": {"description": a["description"], "due": _day(a["due_date"])},
            "changed": b is None or (b["description"], b["due_date"]) != (a["description"], a["due_date"]),
        }
        for b, a in _pairs(before["milestones"], after["milestones"])
    ]
    name = _milestone_name(after)
    tranches = [
        {
            "number": a["number"],
            "milestone": name(a),
            "paid": _decimal(a.get("paid")),
            "before": _decimal(b["amount"]) if b else None,
            "after": _decimal(a["amount"]),
            "changed": b is None or b["amount"] != a["amount"],
        }
        for b, a in _pairs(before["tranches"], after["tranches"])
    ]
    return {"terms": terms, "budget": budget, "milestones": milestones, "tranches": tranches}


def _snapshots(grant, amendment):
    """A proposed amendment is shown against the grant as it is now; a decided one as it was stored."""
    if amendment.status == AmendmentStatus.PROPOSED:
        before = services.grant_snapshot(grant)
        after, problems = services.amendment_plan(
            grant,
            before=before,
            new_amount=amendment.new_amount,
            new_end_date=amendment.new_end_date,
            changes=services.normalise_changes(amendment.changes),
        )
        return before, after, [message for _code, message in problems]
    return amendment.before or {}, amendment.after or {}, []


class AmendmentDetailView(StaffGrantMixin, View):
    def get_objects(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant)
        amendment = get_object_or_404(
            GrantAmendment.objects.select_related("proposed_by", "decided_by"),
            pk=self.kwargs["amendment_pk"],
            grant=grant,
        )
        return grant, amendment

    def get(self, request, pk, amendment_pk):
        return self.render_page(*self.get_objects())

    def render_page(self, grant, amendment, *, forms=None, status=200):
        user = self.request.user
        forms = forms or {}
        if permissions.can_decide_amendment(user, amendment):
            forms.setdefault("decide", AmendmentDecisionForm())
        if permissions.can_withdraw_amendment(user, amendment):
            forms.setdefault("withdraw", AmendmentWithdrawForm())
        before, after, problems = _snapshots(grant, amendment)
        timeline = list(audit_entries_for(target=amendment)[:50])
        labels = dict(AmendmentStatus.choices)
        for entry in timeline:
            entry.action_label = ACTION_LABELS.get(entry.action, entry.action)
            entry.from_label = labels.get(entry.from_status, entry.from_status)
            entry.to_label = labels.get(entry.to_status, entry.to_status)
        context = {
            "grant": grant,
            "amendment": amendment,
            "comparison": amendment_comparison(before, after) if before and after else None,
            "problems": problems,
            "forms": forms,
            "timeline": timeline,
            "own_proposal": amendment.status == AmendmentStatus.PROPOSED and amendment.proposed_by_id == user.pk,
        }
        return render(self.request, "grants/staff/amendment_detail.html", context, status=status)


class AmendmentDecideView(AmendmentDetailView):
    """A manager approves or rejects (never their own proposal: 404)."""

    def get(self, request, pk, amendment_pk):
        raise Http404

    def post(self, request, pk, amendment_pk):
        grant, amendment = self.get_objects()
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            raise Http404
        if not permissions.can_decide_amendment(request.user, amendment):
            if amendment.status != AmendmentStatus.PROPOSED and permissions.can_decide_amendment(request.user):
                messages.warning(request, _("This amendment was already decided; nothing was changed."))
                return redirect("staff:grant_amendment", pk=grant.pk, amendment_pk=amendment.pk)
            raise Http404
        form = AmendmentDecisionForm(request.POST)
        if form.is_valid():
            try:
                if decision == "approve":
                    services.amendment_approve(
                        actor=request.user, amendment=amendment, comment=form.cleaned_data["comment"]
                    )
                else:
                    services.amendment_reject(
                        actor=request.user, amendment=amendment, comment=form.cleaned_data["comment"]
                    )
            except ApplicationError as error:
                for problem in error.extra.get("problems", [error.message]):
                    form.add_error("comment" if error.code == "reason_required" else None, problem)
            else:
                done = (
                    _("The amendment was approved and applied.")
                    if decision == "approve"
                    else _("The amendment was rejected.")
                )
                messages.success(request, done)
                return redirect("staff:grant_amendment", pk=grant.pk, amendment_pk=amendment.pk)
        amendment.refresh_from_db()
        return self.render_page(grant, amendment, forms={"decide": form}, status=400)


class AmendmentWithdrawView(AmendmentDetailView):
    """The proposer takes the proposal back (anyone else: 404)."""

    def get(self, request, pk, amendment_pk):
        raise Http404

    def post(self, request, pk, amendment_pk):
        grant, amendment = self.get_objects()
        if not permissions.can_withdraw_amendment(request.user, amendment):
            raise Http404
        form = AmendmentWithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.amendment_withdraw(
                    actor=request.user, amendment=amendment, comment=form.cleaned_data["comment"]
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The amendment was withdrawn; you may propose another."))
                return redirect("staff:grant_amendment", pk=grant.pk, amendment_pk=amendment.pk)
        return self.render_page(grant, amendment, forms={"withdraw": form}, status=400)
