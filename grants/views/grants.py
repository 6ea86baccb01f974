"""Staff grant pages: the list, the grant page (terms, budget, agreement, signed copy, timeline and the panels of
grant_panels.STAFF_PANELS) and the edit pages used before signature. The grantee's page is in `my_grants`.

Thin views: they parse input, call grants.services.grants and turn an ApplicationError into a message. Whoever
may not see a grant gets 404; files go out only through these permission-checked views, as attachments.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.choices import Component
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants import permissions
from grants.forms.grants import (
    GrantBudgetLineForm,
    GrantMilestoneForm,
    GrantTermsForm,
    GrantTrancheForm,
    SignedCopyForm,
)
from grants.models import (
    AmendmentStatus,
    Call,
    DocumentStatus,
    Grant,
    GrantBudgetLine,
    GrantMilestone,
    GrantStatus,
    GrantTranche,
    ReportStatus,
    TrancheStatus,
)
from grants.permissions import can_edit_grant_budget, can_view_grant
from grants.selectors import grant_audit_entries, grants_for_staff
from grants.services import grants as services
from grants.views import grant_panels
from municipalities.models import Municipality

PER_PAGE = 25
FILTER_KEYS = ("status", "call", "component", "municipality", "fy", "waiting", "q")
ACTION_LABELS = {
    "grants.grant.created": gettext_lazy("Grant created"),
    "grants.grant.terms_changed": gettext_lazy("Terms changed"),
    "grants.grant.budget_line_added": gettext_lazy("Budget line added"),
    "grants.grant.budget_line_changed": gettext_lazy("Budget line changed"),
    "grants.grant.budget_line_removed": gettext_lazy("Budget line removed"),
    "grants.grant.milestone_added": gettext_lazy("Milestone added"),
    "grants.grant.milestone_changed": gettext_lazy("Milestone changed"),
    "grants.grant.milestone_removed": gettext_lazy("Milestone removed"),
    "grants.grant.tranche_added": gettext_lazy("Tranche added"),
    "grants.grant.tranche_changed": gettext_lazy("Tranche changed"),
    "grants.grant.tranche_removed": gettext_lazy("Tranche removed"),
    "grants.grant.agreement_requested": gettext_lazy("Agreement requested"),
    "grants.grant.agreement_requeued": gettext_lazy("Agreement requested again"),
    "grants.grant.agreement_generated": gettext_lazy("Agreement generated"),
    "grants.grant.agreement_failed": gettext_lazy("Agreement failed"),
    "grants.grant.agreement_outdated": gettext_lazy("Agreement outdated by a change"),
    "grants.grant.signed": gettext_lazy("Signed copy uploaded"),
}


def can_view_grants_as_staff(user, obj=None):
    """Staff pages are for the roles that read every grant; a grantee uses /my/grants/ (404 here)."""
    return can_view_grant(user, None)


STATUS_LABELS = {
    **dict(DocumentStatus.choices),
    **dict(GrantStatus.choices),
    **dict(TrancheStatus.choices),
    **dict(ReportStatus.choices),
    **dict(AmendmentStatus.choices),
}


def labelled_grant_timeline(grant, *, limit=100):
    """The grant's timeline (its own entries and those of its tranches, reports, visits, amendments), labelled."""
    labels = STATUS_LABELS
    action_labels = {**ACTION_LABELS, **grant_panels.action_labels()}
    entries = grant_audit_entries(grant, limit=limit)
    for entry in entries:
        entry.action_label = action_labels.get(entry.action, entry.action)
        entry.from_label = labels.get(entry.from_status, entry.from_status)
        entry.to_label = labels.get(entry.to_status, entry.to_status)
    return entries


def grant_with_rows(**filters):
    """One grant with everything its pages show (a constant number of queries), or 404."""
    queryset = Grant.objects.select_related(
        "application__call",
        "application__person",
        "application__organisation",
        "application__municipality",
        "business",
    ).prefetch_related(
        "budget_lines",
        "milestones",
        Prefetch("tranches", queryset=GrantTranche.objects.select_related("milestone")),
    )
    return get_object_or_404(queryset, **filters)


def grant_context(grant):
    lines = list(grant.budget_lines.all())
    tranches = list(grant.tranches.all())
    return {
        "grant": grant,
        "application": grant.application,
        "grantee": services.grantee_name(grant.application),
        "budget_lines": lines,
        "budget_totals": {
            "grant": sum(line.grant_amount for line in lines),
            "cost_share": sum(line.cost_share_amount for line in lines),
        },
        "budget_problems": services.grant_budget_problems(grant, lines),
        "milestones": list(grant.milestones.all()),
        "tranches": tranches,
        "tranche_problems": services.grant_tranche_problems(grant, tranches),
    }


def _pdf_response(file, filename):
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def agreement_response(grant, *, signed=False):
    if signed:
        if not grant.signed_copy:
            raise Http404
        return _pdf_response(grant.signed_copy, f"{get_valid_filename(grant.number)}-signed.pdf")
    if grant.agreement_status != DocumentStatus.READY or not grant.agreement_file:
        raise Http404
    return _pdf_response(grant.agreement_file, f"{get_valid_filename(grant.number)}.pdf")


class StaffGrantMixin(PermissionRequiredMixin):
    permission = staticmethod(can_view_grants_as_staff)

    def get_grant(self):
        return grant_with_rows(pk=self.kwargs["pk"])


class GrantListView(StaffGrantMixin, View):
    """Every grant, newest first, filtered; paid and waiting tranches come from annotations (constant queries)."""

    def get(self, request):
        filters = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
        if filters["status"] not in GrantStatus.values:
            filters["status"] = ""
        grants = grants_for_staff(filters=filters)
        page = Paginator(grants, PER_PAGE).get_page(request.GET.get("page"))
        for grant in page.object_list:
            grant.grantee = services.grantee_name(grant.application)
            grant.paid = grant.paid_cash + grant.paid_in_kind
            grant.remaining = grant.amount - grant.paid
        query = QueryDict(mutable=True)
        query.update({key: value for key, value in filters.items() if value})
        context = {
            "page_obj": page,
            "grants": page.object_list,
            "statuses": GrantStatus.choices,
            "status": filters["status"],
            "filters": filters,
            "query": query.urlencode(),
            "components": Component.choices,
            "municipalities": Municipality.objects.order_by("code"),
            "calls": Call.objects.filter(applications__grant__isnull=False).distinct().order_by("-code"),
        }
        return render(request, "grants/staff/grant_list.html", context)


class GrantDetailView(StaffGrantMixin, View):
    def get(self, request, pk):
        return self.render_page(self.get_grant())

    def render_page(self, grant, *, forms=None, status=200):
        user = self.request.user
        context = grant_context(grant)
        editable = grant.status == GrantStatus.AWAITING_SIGNATURE
        may = {
            "edit_terms": permissions.can_edit_grant_terms(user, grant),
            "edit_budget": can_edit_grant_budget(user, grant),
            "plan": permissions.can_plan_tranches(user, grant),
            "prepare": permissions.can_prepare_agreement(user, grant),
        }
        forms = forms or {}
        if may["edit_budget"]:
            forms.setdefault("budget", GrantBudgetLineForm(prefix="budget"))
        if may["plan"]:
            forms.setdefault("milestone", GrantMilestoneForm(prefix="milestone"))
            forms.setdefault("tranche", GrantTrancheForm(prefix="tranche", grant=grant))
        if may["prepare"] and grant.agreement_status == DocumentStatus.READY:
            forms.setdefault("signed", SignedCopyForm())
        context.update(
            may=may,
            editable=editable,
            forms=forms,
            agreement_stale=services.agreement_is_stale(grant),
            timeline=labelled_grant_timeline(grant),
            panels=grant_panels.panels(self.request, grant, grant_panels.STAFF_PANELS),
        )
        return render(self.request, "grants/staff/grant_detail.html", context, status=status)


class GrantTermsEditView(StaffGrantMixin, View):
    def get(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=permissions.can_edit_grant_terms)
        return self._render(grant, GrantTermsForm(instance=grant))

    def post(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=permissions.can_edit_grant_terms)
        form = GrantTermsForm(request.POST, instance=grant_with_rows(pk=pk))
        if form.is_valid():
            try:
                services.grant_terms_update(actor=request.user, grant=grant, data=form.cleaned_data)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The terms were saved."))
                return redirect("staff:grant_detail", pk=grant.pk)
        else:
            messages.error(request, _("The terms were not saved. Correct the fields marked in red and save again."))
        return self._render(grant, form, status=400)

    def _render(self, grant, form, status=200):
        return render(
            self.request,
            "grants/staff/grant_form.html",
            {"grant": grant, "form": form, "kind": "terms", "action": reverse("staff:grant_edit", args=[grant.pk])},
            status=status,
        )


ROW_URL_NAMES = {"budget": "grant_budget_line", "milestone": "grant_milestone", "tranche": "grant_tranche"}
ROW_KINDS = {
    "budget": {
        "model": GrantBudgetLine,
        "form": GrantBudgetLineForm,
        "save": services.grant_budget_line_save,
        "delete": services.grant_budget_line_delete,
        "rule": can_edit_grant_budget,
        "argument": "line",
        "title": gettext_lazy("Budget line"),
        "saved": gettext_lazy("The budget line was saved."),
        "removed": gettext_lazy("The budget line was removed."),
    },
    "milestone": {
        "model": GrantMilestone,
        "form": GrantMilestoneForm,
        "save": services.grant_milestone_save,
        "delete": services.grant_milestone_delete,
        "rule": permissions.can_plan_tranches,
        "argument": "milestone",
        "title": gettext_lazy("Milestone"),
        "saved": gettext_lazy("The milestone was saved."),
        "removed": gettext_lazy("The milestone was removed."),
    },
    "tranche": {
        "model": GrantTranche,
        "form": GrantTrancheForm,
        "save": services.grant_tranche_save,
        "delete": services.grant_tranche_delete,
        "rule": permissions.can_plan_tranches,
        "argument": "tranche",
        "title": gettext_lazy("Tranche"),
        "saved": gettext_lazy("The tranche was saved."),
        "removed": gettext_lazy("The tranche was removed."),
    },
}


class GrantRowView(StaffGrantMixin, View):
    """Add (from the detail page), change or remove a budget line, milestone or tranche of a grant."""

    kind = None

    def setup_row(self):
        self.spec = ROW_KINDS[self.kind]
        grant = self.get_grant()
        self.check_permission(grant, permission=self.spec["rule"])
        row_pk = self.kwargs.get("row_pk")
        row = None if row_pk is None else get_object_or_404(self.spec["model"], pk=row_pk, grant=grant)
        return grant, row

    def make_form(self, grant, row, data=None):
        extra = {"grant": grant} if self.kind == "tranche" else {}
        prefix = None if row else self.kind
        return self.spec["form"](data, instance=row, prefix=prefix, **extra)

    def get(self, request, pk, row_pk=None):
        grant, row = self.setup_row()
        if row is None:
            return redirect("staff:grant_detail", pk=grant.pk)
        return self._render(grant, row, self.make_form(grant, row))

    def post(self, request, pk, row_pk=None):
        grant, row = self.setup_row()
        form = self.make_form(grant, row, request.POST)
        if form.is_valid():
            try:
                self.spec["save"](
                    actor=request.user, grant=grant, data=form.cleaned_data, **{self.spec["argument"]: row}
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, str(self.spec["saved"]))
                return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + f"#{self.kind}")
        else:
            messages.error(request, _("Nothing was saved. Correct the fields marked in red and save again."))
        return self._render(grant, row, form, status=400)

    def _render(self, grant, row, form, status=200):
        name = ROW_URL_NAMES[self.kind]
        action = (
            reverse(f"staff:{name}_edit", args=[grant.pk, row.pk])
            if row
            else reverse(f"staff:{name}_add", args=[grant.pk])
        )
        context = {"grant": grant, "row": row, "form": form, "kind": self.kind, "title": self.spec["title"]}
        context["action"] = action
        return render(self.request, "grants/staff/grant_form.html", context, status=status)


class GrantRowDeleteView(GrantRowView):
    def get(self, request, pk, row_pk):
        raise Http404

    def post(self, request, pk, row_pk):
        grant, row = self.setup_row()
        try:
            self.spec["delete"](actor=request.user, grant=grant, **{self.spec["argument"]: row})
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, str(self.spec["removed"]))
        return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + f"#{self.kind}")


class GrantAgreementRequestView(StaffGrantMixin, View):
    """Generate the agreement, or try again after a failure; the PDF is rendered by a task."""

    def post(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=permissions.can_prepare_agreement)
        try:
            services.grant_agreement_request(actor=request.user, grant=grant)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.info(request, _("The agreement is being prepared; this page shows it when it is ready."))
        return redirect(reverse("staff:grant_detail", kwargs={"pk": grant.pk}) + "#agreement")


class GrantSignView(StaffGrantMixin, View):
    """Upload the signed copy: the grant becomes active."""

    def post(self, request, pk):
        grant = self.get_grant()
        self.check_permission(grant, permission=permissions.can_prepare_agreement)
        form = SignedCopyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.grant_sign(actor=request.user, grant=grant, signed_file=form.cleaned_data["signed_file"])
            except ApplicationError as error:
                form.add_error("signed_file", error.message)
            else:
                messages.success(request, _("The signed agreement was stored; the grant is now active."))
                return redirect("staff:grant_detail", pk=grant.pk)
        messages.error(request, _("The signed copy was not stored; see the reason below the upload field."))
        return GrantDetailView(request=request, kwargs=self.kwargs).render_page(
            grant, forms={"signed": form}, status=400
        )


class GrantAgreementDownloadView(StaffGrantMixin, View):
    signed = False

    def get(self, request, pk):
        return agreement_response(get_object_or_404(Grant, pk=pk), signed=self.signed)
