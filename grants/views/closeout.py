"""The grant's status (suspend, resume, terminate), its closeout (checklist, cost-share reconciliation, complete,
close) and, for civic grants, its infrastructure: the panels of the staff grant page and their pages.

Thin views: the forms shape input, grants.services.closeout and grants.services.infrastructure decide and say why
not. Whoever may not act gets 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from grants import permissions
from grants.forms.closeout import (
    STATUS_ACTIONS,
    CostShareReconcileForm,
    GrantStatusForm,
    InfrastructureForm,
    InfrastructureUseFormSet,
)
from grants.models import GrantStatus, InfrastructureProject, InstrumentType
from grants.services import closeout as services
from grants.services.infrastructure import infrastructure_save, infrastructure_summary, is_civic
from grants.views.grants import StaffGrantMixin, grant_with_rows

ACTION_LABELS = {
    "grants.grant.suspended": gettext_lazy("Grant suspended"),
    "grants.grant.resumed": gettext_lazy("Grant resumed"),
    "grants.grant.terminated": gettext_lazy("Grant terminated"),
    "grants.grant.completed": gettext_lazy("Grant completed"),
    "grants.grant.closed": gettext_lazy("Grant closed"),
    "grants.grant.cost_share_reconciled": gettext_lazy("Cost share reconciled"),
    "grants.grant.infrastructure_recorded": gettext_lazy("Infrastructure recorded"),
    "grants.grant.infrastructure_changed": gettext_lazy("Infrastructure changed"),
}
# Which status actions a grant in each status offers (the services check again).
AVAILABLE_ACTIONS = {
    GrantStatus.AWAITING_SIGNATURE: ("terminate",),
    GrantStatus.ACTIVE: ("suspend", "terminate"),
    GrantStatus.SUSPENDED: ("resume", "terminate"),
}
SERVICES = {
    "suspend": services.grant_suspend,
    "resume": services.grant_resume,
    "terminate": services.grant_terminate,
}
CHECKLIST_STATUSES = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED, GrantStatus.COMPLETED)


def _status_actions(user, grant):
    if not permissions.can_change_grant_status(user, grant):
        return []
    return [(code, STATUS_ACTIONS[code]) for code in AVAILABLE_ACTIONS.get(grant.status, ())]


def closeout_context(request, grant, *, reconcile_form=None, status_forms=None):
    """What the closeout panel and page show (4 queries at most); the forms only for those who may use them."""
    user = request.user
    status_forms = status_forms or {}
    paid = services.grant_paid_total(grant)
    may = {
        "reconcile": permissions.can_reconcile_cost_share(user, grant),
        "complete": permissions.can_complete_grant(user, grant),
        "close": permissions.can_close_grant(user, grant),
    }
    checklist = services.closeout_checklist(grant) if grant.status in CHECKLIST_STATUSES else []
    return {
        "template": "grants/staff/_grant_panel_closeout.html",
        "title": _("Status and closeout"),
        "anchor": "closeout",
        "status_actions": [
            (code, label, status_forms.get(code) or GrantStatusForm(prefix=code))
            for code, label in _status_actions(user, grant)
        ],
        "money": {"amount": grant.amount, "paid": paid, "unpaid": grant.amount - paid},
        "in_kind": grant.instrument == InstrumentType.IN_KIND,
        "cost_share": {
            "committed": grant.cost_share_committed,
            "contributed": services.cost_share_contributed(grant),
            "reconciled_by": grant.cost_share_reconciled_by if grant.cost_share_reconciled_at else None,
        },
        "checklist": checklist,
        "checklist_done": bool(checklist) and all(item["done"] for item in checklist),
        "may": may,
        "reconcile_form": (reconcile_form or CostShareReconcileForm()) if may["reconcile"] else None,
    }


def closeout_panel(request, grant):
    """None before signature unless the person may terminate the grant."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE and not permissions.can_change_grant_status(request.user, grant):
        return None
    return closeout_context(request, grant)


class CloseoutView(StaffGrantMixin, View):
    """The closeout panel on its own page (where refused actions come back with their reason and the typed text)."""

    def get_grant(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant)
        return grant

    def get(self, request, pk):
        return self.render_page(self.get_grant())

    def render_page(self, grant, *, status=200, error=None, **forms):
        panel = closeout_context(self.request, grant, **forms)
        context = {"grant": grant, "panel": panel, "error": error}
        return render(self.request, "grants/staff/closeout_detail.html", context, status=status)


class CostShareReconcileView(CloseoutView):
    def post(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=permissions.can_reconcile_cost_share)
        form = CostShareReconcileForm(request.POST)
        if form.is_valid():
            try:
                services.cost_share_reconcile(actor=request.user, grant=grant, note=form.cleaned_data["note"])
            except ApplicationError as error:
                form.add_error("note" if error.code == "note_required" else None, error.message)
            else:
                messages.success(request, _("The cost share was reconciled."))
                return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#closeout")
        return self.render_page(grant, status=400, reconcile_form=form)


class GrantCompleteView(CloseoutView):
    permission_rule = staticmethod(permissions.can_complete_grant)
    done = gettext_lazy("The grant is completed; the grantee was told.")

    def perform(self, grant):
        services.grant_complete(actor=self.request.user, grant=grant)

    def post(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=self.permission_rule)
        try:
            self.perform(grant)
        except ApplicationError as error:
            return self.render_page(grant, status=400, error=error.message)
        messages.success(request, str(self.done))
        return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#closeout")


class GrantCloseView(GrantCompleteView):
    permission_rule = staticmethod(permissions.can_close_grant)
    done = gettext_lazy("The grant is closed.")

    def perform(self, grant):
        services.grant_close(actor=self.request.user, grant=grant)


class GrantStatusView(StaffGrantMixin, View):
    """Suspend, resume or terminate, with a reason (managers only; anyone else gets 404)."""

    def setup_grant(self, action):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant, permission=permissions.can_change_grant_status)
        if action not in AVAILABLE_ACTIONS.get(grant.status, ()):
            raise Http404
        return grant

    def get(self, request, pk):
        action = request.GET.get("action", "")
        grant = self.setup_grant(action)
        return self._render(grant, action, GrantStatusForm(prefix=action))

    def post(self, request, pk):
        action = request.POST.get("action", "")
        if action not in SERVICES:
            raise Http404
        grant = grant_with_rows(pk=pk)
        self.check_permission(grant, permission=permissions.can_change_grant_status)
        form = GrantStatusForm(request.POST, prefix=action)
        if form.is_valid():
            try:
                changed = SERVICES[action](actor=request.user, grant=grant, reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("The grant is now “%(status)s”.") % {"status": changed.get_status_display()}
                )
                return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#closeout")
        return self._render(grant, action, form, status=400)

    def _render(self, grant, action, form, status=200):
        context = {"grant": grant, "action": action, "title": STATUS_ACTIONS[action], "form": form}
        return render(self.request, "grants/staff/grant_status_form.html", context, status=status)


# --- Civic infrastructure --------------------------------------------------------------------------------------
def infrastructure_panel(request, grant):
    """What a civic grant builds and who uses it (2 queries); None for other components."""
    if not is_civic(grant):
        return None
    project = InfrastructureProject.objects.filter(grant=grant).prefetch_related("uses").first()
    return {
        "template": "grants/staff/_grant_panel_infrastructure.html",
        "title": _("Infrastructure"),
        "anchor": "infrastructure",
        "project": project,
        "summary": infrastructure_summary(project) if project else None,
        "may_edit": permissions.can_edit_infrastructure(request.user, grant),
    }


class InfrastructureEditView(StaffGrantMixin, View):
    def setup_grant(self):
        grant = grant_with_rows(pk=self.kwargs["pk"])
        self.check_permission(grant, permission=permissions.can_edit_infrastructure)
        if not is_civic(grant):
            raise Http404
        return grant, InfrastructureProject.objects.filter(grant=grant).prefetch_related("uses").first()

    def get(self, request, pk):
        grant, project = self.setup_grant()
        initial, uses = {}, []
        if project:
            initial = {field: getattr(project, field) for field in InfrastructureForm.base_fields}
            uses = [
                {"community": u.community, "expected_users": u.expected_users, "actual_users": u.actual_users}
                for u in project.uses.all()
            ]
        form = InfrastructureForm(initial=initial)
        return self._render(grant, form, InfrastructureUseFormSet(initial=uses, prefix="uses"))

    def post(self, request, pk):
        grant, _project = self.setup_grant()
        form = InfrastructureForm(request.POST)
        formset = InfrastructureUseFormSet(request.POST, prefix="uses")
        if form.is_valid() and formset.is_valid():
            try:
                infrastructure_save(actor=request.user, grant=grant, data=form.cleaned_data, uses=formset.rows())
            except ApplicationError as error:
                field = {"coordinates_outside_kosovo": "latitude", "coordinates_incomplete": "longitude"}
                form.add_error(field.get(error.code), error.message)
            else:
                messages.success(request, _("The infrastructure was saved."))
                return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#infrastructure")
        messages.error(request, _("Nothing was saved. Correct the fields marked in red and save again."))
        return self._render(grant, form, formset, status=400)

    def _render(self, grant, form, formset, status=200):
        context = {"grant": grant, "form": form, "formset": formset}
        return render(self.request, "grants/staff/infrastructure_form.html", context, status=status)
