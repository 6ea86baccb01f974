"""Staff pages for reviews (/<lang>/staff/reviews/): assigning reviewers to one application (with the conflict
warnings of each candidate), in bulk across a call, and the scores side by side. Applicants never reach these.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.forms.reviews import AssignReviewerForm, BulkAssignForm, MarkReviewedForm
from grants.models import Application, ApplicationStatus, Call, ReviewAssignment
from grants.permissions import can_assign_reviewers, can_view_reviews
from grants.selectors_reviews import (
    application_for_conflicts,
    applications_for_bulk_assignment,
    calls_with_reviewable_applications,
    review_summary,
    reviewer_pool,
)
from grants.services.conflicts import conflict_warnings_for_reviewers, rule_label
from grants.services.reviews import (
    application_mark_reviewed,
    review_assign,
    review_request_third,
    review_unassign,
    reviews_assign_bulk,
)


def _application(user, pk):
    """A submitted application with its call; drafts and strangers' requests answer 404 (the view checked the role)."""
    application = (
        Application.objects.select_related("call").exclude(status=ApplicationStatus.DRAFT).filter(pk=pk).first()
    )
    if application is None or not can_view_reviews(user, application):
        raise Http404
    return application


def _labelled(warnings):
    return [{**warning, "label": rule_label(warning["rule"])} for warning in warnings]


def candidates_with_warnings(application):
    """Reviewers not yet assigned to `application`, least loaded first, each with the rules that fired."""
    assigned = set(ReviewAssignment.objects.filter(application=application).values_list("reviewer_id", flat=True))
    pool = [reviewer for reviewer in reviewer_pool() if reviewer.pk not in assigned]
    warnings = conflict_warnings_for_reviewers(application=application_for_conflicts(pk=application.pk), reviewers=pool)
    return [{"reviewer": reviewer, "warnings": _labelled(warnings[reviewer.pk])} for reviewer in pool], pool


class ReviewsHomeView(PermissionRequiredMixin, TemplateView):
    """Calls with applications to review, linking to their bulk assignment pages."""

    permission = staticmethod(can_view_reviews)
    template_name = "grants/staff/reviews_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["calls"] = list(calls_with_reviewable_applications())
        return context


class ApplicationReviewsView(PermissionRequiredMixin, View):
    """One application: its assignments, candidates with conflict warnings, scores side by side, mean, divergence."""

    permission = staticmethod(can_view_reviews)
    template_name = "grants/staff/reviews_application.html"

    def get(self, request, pk):
        return self.render_page(_application(request.user, pk))

    def render_page(self, application, assign_form=None, mark_form=None, pending_warnings=None, status=200):
        user = self.request.user
        may_assign = can_assign_reviewers(user, application)
        context = {
            "application": application,
            "review_summary": review_summary(application=application),
            "may_assign": may_assign,
            "pending_warnings": _labelled(pending_warnings or []),
        }
        if may_assign:
            candidates, pool = candidates_with_warnings(application)
            context["candidates"] = candidates
            ids = [reviewer.pk for reviewer in pool]
            reviewers = get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "id")
            context["assign_form"] = assign_form or AssignReviewerForm(reviewers=reviewers)
            context["mark_form"] = mark_form or MarkReviewedForm()
        return render(self.request, self.template_name, context, status=status)


class AssignView(ApplicationReviewsView):
    """Assign a reviewer (or, with `third=True`, a further reviewer for diverging reviews)."""

    permission = staticmethod(can_assign_reviewers)
    third = False

    def post(self, request, pk):
        application = _application(request.user, pk)
        self.check_permission(application)
        form = AssignReviewerForm(request.POST, reviewers=reviewer_pool())
        if not form.is_valid():
            return self.render_page(application, assign_form=form, status=400)
        service = review_request_third if self.third else review_assign
        try:
            assignment = service(
                actor=request.user,
                application=application,
                reviewer=form.cleaned_data["reviewer"],
                due_date=form.cleaned_data["due_date"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            application = _application(request.user, pk)
            warnings = error.extra.get("warnings")
            return self.render_page(application, assign_form=form, pending_warnings=warnings, status=400)
        messages.success(request, _("%(name)s was assigned.") % {"name": assignment.reviewer})
        return redirect("staff:reviews_application", pk=application.pk)


class RemoveView(PermissionRequiredMixin, View):
    permission = staticmethod(can_assign_reviewers)

    def post(self, request, pk):
        assignment = get_object_or_404(ReviewAssignment.objects.select_related("application"), pk=pk)
        self.check_permission(assignment.application)
        try:
            review_unassign(actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assignment was removed."))
        return redirect("staff:reviews_application", pk=assignment.application_id)


class MarkReviewedView(ApplicationReviewsView):
    permission = staticmethod(can_assign_reviewers)

    def post(self, request, pk):
        application = _application(request.user, pk)
        self.check_permission(application)
        form = MarkReviewedForm(request.POST)
        if form.is_valid():
            try:
                application_mark_reviewed(
                    actor=request.user,
                    application=application,
                    accept_divergence=form.cleaned_data["accept_divergence"],
                    comment=form.cleaned_data["comment"],
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The application is marked reviewed."))
                return redirect("staff:reviews_application", pk=application.pk)
        return self.render_page(application, mark_form=form, status=400)


class CallBulkAssignView(PermissionRequiredMixin, View):
    """Every eligible application of a call gets the call's number of reviewers, the load balanced between them."""

    permission = staticmethod(can_view_reviews)
    template_name = "grants/staff/reviews_call.html"

    def get(self, request, code):
        return self._render(get_object_or_404(Call, code=code), BulkAssignForm())

    def post(self, request, code):
        call = get_object_or_404(Call, code=code)
        self.check_permission(None, permission=can_assign_reviewers)
        form = BulkAssignForm(request.POST)
        if not form.is_valid():
            return self._render(call, form, status=400)
        try:
            result = reviews_assign_bulk(actor=request.user, call=call, due_date=form.cleaned_data["due_date"])
        except ApplicationError as error:
            messages.error(request, error.message)
            return self._render(call, form, status=400)
        messages.success(request, _("%(count)s reviewer assignments were made.") % {"count": len(result["created"])})
        if result["short"]:
            messages.warning(
                request,
                _("Not enough reviewers without conflict warnings for: %(references)s. Assign them one by one.")
                % {"references": ", ".join(a.reference or str(a.pk) for a in result["short"])},
            )
        return redirect("staff:reviews_call", code=call.code)

    def _render(self, call, form, status=200):
        context = {
            "call": call,
            "applications": list(applications_for_bulk_assignment(call=call)),
            "reviewers": list(reviewer_pool()),
            "form": form,
            "may_assign": can_assign_reviewers(self.request.user),
        }
        return render(self.request, self.template_name, context, status=status)


class ReviewsPanelView(PermissionRequiredMixin, View):
    """The review panel alone, for pages that include _panel_reviews.html without a summary (loaded by htmx)."""

    permission = staticmethod(can_view_reviews)

    def get(self, request, pk):
        application = _application(request.user, pk)
        context = {"application": application, "review_summary": review_summary(application=application)}
        return render(request, "grants/staff/_panel_reviews.html", context)
