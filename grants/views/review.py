"""The reviewer's space (/<lang>/review/): their assignments, the conflict declaration, the application and the
review form. Anything that is not the reviewer's own active assignment answers 404; the application itself only
after the no-conflict declaration.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.display import application_display
from grants.forms.reviews import ConflictDeclarationForm, ReviewScoresForm
from grants.models import AssignmentStatus
from grants.permissions import can_read_assigned_application, can_see_assignment
from grants.selectors_reviews import (
    application_for_review,
    assignment_for_reviewer,
    assignments_for_reviewer,
    criteria_of,
    readable_assignment_of_application,
    review_of_assignment,
)
from grants.services.applications import budget_totals
from grants.services.reviews import (
    assignment_declare_conflict,
    assignment_declare_no_conflict,
    review_save_draft,
    review_submit,
)
from grants.views.documents import PREVIEWABLE


class ReviewHomeView(PermissionRequiredMixin, TemplateView):
    """The reviewer's dashboard: assignments with title, municipality, call, deadline and status."""

    permission = staticmethod(can_see_assignment)
    template_name = "grants/review/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assignments"] = list(assignments_for_reviewer(user=self.request.user))
        context["today"] = timezone.localdate()
        return context


class AssignmentMixin(PermissionRequiredMixin):
    permission = staticmethod(can_see_assignment)

    def get_assignment(self):
        return assignment_for_reviewer(user=self.request.user, pk=self.kwargs["pk"])


class DeclarationView(AssignmentMixin, View):
    """Title, municipality and the declaration; nothing else of the application."""

    template_name = "grants/review/declaration.html"

    def get(self, request, pk):
        assignment = self.get_assignment()
        if assignment.may_read_application:
            return redirect("review_application", pk=assignment.pk)
        return self._render(assignment, ConflictDeclarationForm())

    def post(self, request, pk):
        assignment = self.get_assignment()
        form = ConflictDeclarationForm(request.POST)
        if not form.is_valid():
            return self._render(assignment, form, status=400)
        try:
            if request.POST.get("action") == "conflict":
                assignment_declare_conflict(actor=request.user, assignment=assignment, note=form.cleaned_data["note"])
            else:
                assignment_declare_no_conflict(actor=request.user, assignment=assignment)
        except ApplicationError as error:
            messages.error(request, error.message)
            return self._render(assignment, form, status=400)
        if request.POST.get("action") == "conflict":
            messages.success(request, _("Thank you. The assignment is closed and the programme officer was told."))
            return redirect("review_home")
        messages.success(request, _("Thank you. You can now read and score the application."))
        return redirect("review_application", pk=assignment.pk)

    def _render(self, assignment, form, status=200):
        return render(self.request, self.template_name, {"assignment": assignment, "form": form}, status=status)


class ApplicationView(AssignmentMixin, View):
    """The application as submitted, without the applicant's personal data; 404 before the declaration."""

    template_name = "grants/review/application.html"

    def get(self, request, pk):
        assignment = self.get_assignment()
        self.check_permission(assignment, permission=can_read_assigned_application)
        application = application_for_review(pk=assignment.application_id)
        display = application_display(application, user=request.user)
        display["show_personal_data"] = False  # reviewers never see community, birth date or ID numbers
        context = {
            "assignment": assignment,
            "application": application,
            "document_url_name": "review_document",
            "totals": budget_totals(application),
            "display": display,
        }
        return render(request, self.template_name, context)


class ScoreView(AssignmentMixin, View):
    """The review form: a score (or n/a) and a comment per criterion; save a draft or submit (which locks it)."""

    template_name = "grants/review/score.html"

    def get(self, request, pk):
        assignment = self.get_assignment()
        self.check_permission(assignment, permission=can_read_assigned_application)
        review, scores = review_of_assignment(assignment)
        form = ReviewScoresForm(criteria=criteria_of(assignment.application.call), scores=scores)
        return self._render(assignment, form, review, scores)

    def post(self, request, pk):
        assignment = self.get_assignment()
        self.check_permission(assignment, permission=can_read_assigned_application)
        criteria = criteria_of(assignment.application.call)
        form = ReviewScoresForm(request.POST, criteria=criteria)
        submitting = request.POST.get("action") == "submit"
        if form.is_valid():
            service = review_submit if submitting else review_save_draft
            try:
                service(actor=request.user, assignment=assignment, scores=form.scores())
            except ApplicationError as error:
                messages.error(request, error.message)
                form.add_service_errors(error.extra.get("errors", {}))
            else:
                if submitting:
                    messages.success(request, _("Your review was submitted. Thank you."))
                    return redirect("review_home")
                messages.success(request, _("Your draft was saved."))
                return redirect("review_score", pk=assignment.pk)
        review, scores = review_of_assignment(assignment)
        return self._render(assignment, form, review, scores, status=400)

    def _render(self, assignment, form, review, scores, status=200):
        context = {
            "assignment": assignment,
            "form": form,
            "review": review,
            "locked": assignment.status == AssignmentStatus.SUBMITTED,
            "saved_scores": [(criterion, scores.get(criterion.pk)) for criterion in form.criteria],
        }
        return render(self.request, self.template_name, context, status=status)


def review_document(request, pk, document_pk):
    """A document of an application the reviewer may read (after the declaration); 404 for anyone else."""
    readable_assignment_of_application(user=request.user, application_pk=pk)
    application = application_for_review(pk=pk)
    document = next((d for d in application.documents.all() if d.pk == int(document_pk)), None)
    if document is None:
        raise Http404
    inline = request.GET.get("inline") == "1" and document.content_type in PREVIEWABLE
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not inline,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
