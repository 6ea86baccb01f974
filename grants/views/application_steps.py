"""The steps of the application form and the small pages around them (partners, budget lines)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.choices import Community
from core.errors import ApplicationError
from grants import services
from grants.forms.applicant import (
    BudgetLineForm,
    DocumentUploadForm,
    PartnerForm,
    ProjectForm,
    QuestionsForm,
    SubmitForm,
)
from grants.models import ApplicationStatus
from grants.services.applications import budget_totals, missing_items
from grants.views.applicant import OwnApplicationMixin

STEPS = [
    ("applicant", gettext_lazy("Applicant and partners")),
    ("project", gettext_lazy("Project")),
    ("questions", gettext_lazy("Questions")),
    ("budget", gettext_lazy("Budget")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
]


class StepView(OwnApplicationMixin, View):
    """One step of the application form. Saving a step never loses what was typed."""

    template_name = "grants/my/application_step.html"

    def editable(self, section):
        application = self.application
        if application.status == ApplicationStatus.DRAFT:
            return True
        return application.status == ApplicationStatus.CLARIFICATION_REQUESTED and section in (
            application.unlocked_sections or []
        )

    def get(self, request, pk, step):
        handler = getattr(self, f"get_{step}", None)
        if handler is None:
            raise Http404
        if step != "review" and not self.editable(step):
            return redirect("application_detail", pk=self.application.pk)
        return handler()

    def post(self, request, pk, step):
        handler = getattr(self, f"post_{step}", None)
        if handler is None:
            raise Http404
        if step != "review" and not self.editable(step):
            messages.error(request, _("This part of the application can no longer be changed: it has been submitted."))
            return redirect("application_detail", pk=self.application.pk)
        return handler()

    def render_step(self, step, **context):
        application = self.application
        return render(
            self.request,
            self.template_name,
            {
                "application": application,
                "call": application.call,
                "step": step,
                "steps": STEPS,
                "totals": budget_totals(application),
                **context,
            },
        )

    def saved(self, step, message=None):
        messages.success(self.request, message or _("Saved."))
        if "next_step" in self.request.POST:
            codes = [code for code, _label in STEPS]
            step = codes[min(codes.index(step) + 1, len(codes) - 1)]
        return redirect("application_step", pk=self.application.pk, step=step)

    # Step 1: applicant and partners -------------------------------------------------------------
    def get_applicant(self, form=None):
        partners = list(self.application.partners.all())
        communities = {self.application.person.community}
        if self.application.organisation_id:
            communities.update(self.application.organisation.communities_represented)
        for partner in partners:
            communities.update(partner.communities)
        return self.render_step(
            "applicant",
            partners=partners,
            partner_form=form or PartnerForm(self.stashed()),
            community_mix=[label for code, label in Community.choices if code in communities - {"not_stated"}],
        )

    def post_applicant(self):
        form = PartnerForm(self.request.POST)
        if not form.is_valid():
            return self.get_applicant(form)
        try:
            services.application_partner_save(
                actor=self.request.user, application=self.application, data=form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
            return self.get_applicant(form)
        return self.saved("applicant", _("The partner was added."))

    # Step 2: project ----------------------------------------------------------------------------
    def get_project(self, form=None):
        form = form or ProjectForm(
            self.stashed(),
            instance=self.application,
            call=self.application.call,
            initial={"version": self.application.version},
        )
        return self.render_step("project", form=form)

    def post_project(self):
        form = ProjectForm(self.request.POST, instance=self.application, call=self.application.call)
        if not form.is_valid():
            return self.get_project(form)
        try:
            services.application_project_save(
                actor=self.request.user,
                application=self.application,
                version=form.cleaned_data["version"],
                data=form.cleaned_data,
            )
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
            return self.get_project(form)
        return self.saved("project")

    # Step 3: the call's questions ---------------------------------------------------------------
    def get_questions(self, form=None):
        questions = self.application.call.questions.all()
        if form is None:
            initial = {f"q_{key}": value for key, value in self.application.answers.items()}
            initial["version"] = self.application.version
            form = QuestionsForm(self.stashed(), questions=questions, initial=initial)
        return self.render_step("questions", form=form)

    def post_questions(self):
        form = QuestionsForm(self.request.POST, questions=self.application.call.questions.all())
        if not form.is_valid():
            return self.get_questions(form)
        try:
            services.application_answers_save(
                actor=self.request.user,
                application=self.application,
                version=form.cleaned_data["version"],
                answers=form.answers(),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.get_questions(form)
        return self.saved("questions")

    # Step 4: budget -----------------------------------------------------------------------------
    def get_budget(self, form=None):
        from grants.services.applications import budget_problems

        form = form or BudgetLineForm(self.stashed(), call=self.application.call)
        return self.render_step(
            "budget", form=form, lines=self.application.budget_lines.all(), problems=budget_problems(self.application)
        )

    def post_budget(self):
        form = BudgetLineForm(self.request.POST, call=self.application.call)
        if not form.is_valid():
            return self.get_budget(form)
        try:
            services.application_budget_line_save(
                actor=self.request.user, application=self.application, data=form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            _add_error(form, error)
            return self.get_budget(form)
        return self.saved("budget", _("The budget line was added."))

    # Step 5: documents --------------------------------------------------------------------------
    def get_documents(self, form=None, failed_document=None):
        uploads = {d.call_document_id: d for d in self.application.documents.all()}
        rows = [
            {
                "document": document,
                "upload": uploads.get(document.pk),
                "form": form
                if failed_document == document.pk
                else DocumentUploadForm(initial={"call_document": document.pk}),
            }
            for document in self.application.call.documents.all()
        ]
        return self.render_step("documents", rows=rows)

    def post_documents(self):
        form = DocumentUploadForm(self.request.POST, self.request.FILES)
        document_pk = self.request.POST.get("call_document")
        call_document = next((d for d in self.application.call.documents.all() if str(d.pk) == str(document_pk)), None)
        if call_document is None:
            raise Http404
        if not form.is_valid():
            return self.get_documents(form, call_document.pk)
        try:
            services.application_document_upload(
                actor=self.request.user,
                application=self.application,
                call_document=call_document,
                uploaded_file=form.cleaned_data["file"],
            )
        except ApplicationError as error:
            form.add_error("file", error.message)
            return self.get_documents(form, call_document.pk)
        return self.saved("documents", _("“%(document)s” was uploaded.") % {"document": call_document.name})

    # Step 6: review and submit ------------------------------------------------------------------
    def get_review(self, form=None):
        return self.render_step(
            "review",
            missing=missing_items(self.application) if self.application.is_editable else [],
            form=form or SubmitForm(),
            call_open=self.application.call.is_open,
        )

    def post_review(self):
        form = SubmitForm(self.request.POST)
        if not form.is_valid():
            return self.get_review(form)
        try:
            application = services.application_submit(
                actor=self.request.user, application=self.application, declaration=form.cleaned_data["declaration"]
            )
        except ApplicationError as error:
            messages.error(self.request, error.message)
            return self.get_review(form)
        messages.success(
            self.request,
            _("Your application was submitted. Its reference is %(reference)s; a confirmation was e-mailed to you.")
            % {"reference": application.reference},
        )
        return redirect("application_detail", pk=application.pk)


def _add_error(form, error):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    else:
        form.add_error(None, error.message)


class PartnerDeleteView(OwnApplicationMixin, View):
    def post(self, request, pk, partner_pk):
        partner = get_object_or_404(self.application.partners.all(), pk=partner_pk)
        try:
            services.application_partner_delete(actor=request.user, application=self.application, partner=partner)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The partner was removed."))
        return redirect("application_step", pk=pk, step="applicant")


class BudgetLineEditView(OwnApplicationMixin, View):
    template_name = "grants/my/budget_line_edit.html"

    def get_line(self):
        return get_object_or_404(self.application.budget_lines.all(), pk=self.kwargs["line_pk"])

    def get(self, request, pk, line_pk):
        line = self.get_line()
        form = BudgetLineForm(instance=line, call=self.application.call)
        return render(request, self.template_name, {"application": self.application, "form": form, "line": line})

    def post(self, request, pk, line_pk):
        line = self.get_line()
        form = BudgetLineForm(request.POST, instance=line, call=self.application.call)
        if form.is_valid():
            try:
                services.application_budget_line_save(
                    actor=request.user, application=self.application, data=form.cleaned_data, line=line
                )
            except (ApplicationError, ValidationError) as error:
                _add_error(form, error)
            else:
                messages.success(request, _("The budget line was saved."))
                return redirect("application_step", pk=pk, step="budget")
        return render(request, self.template_name, {"application": self.application, "form": form, "line": line})


class BudgetLineDeleteView(OwnApplicationMixin, View):
    def post(self, request, pk, line_pk):
        line = get_object_or_404(self.application.budget_lines.all(), pk=line_pk)
        try:
            services.application_budget_line_delete(actor=request.user, application=self.application, line=line)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The budget line was removed."))
        return redirect("application_step", pk=pk, step="budget")


class BudgetPreviewView(OwnApplicationMixin, View):
    """htmx: the budget totals as they would be with the line being typed (nothing is saved)."""

    def post(self, request, pk):
        from decimal import Decimal, InvalidOperation

        totals = budget_totals(self.application)
        try:
            quantity = Decimal(request.POST.get("quantity") or "0")
            unit_cost = Decimal(request.POST.get("unit_cost") or "0")
            requested = Decimal(request.POST.get("requested_amount") or "0")
            share = Decimal(request.POST.get("cost_share_amount") or "0")
        except InvalidOperation:
            quantity = unit_cost = requested = share = Decimal("0")
        line_total = (quantity * unit_cost).quantize(Decimal("0.01"))
        preview = {
            "total": totals["total"] + line_total,
            "requested": totals["requested"] + requested,
            "cost_share": totals["cost_share"] + share,
            "line_total": line_total,
            "line_balanced": requested + share == line_total,
        }
        total = preview["total"]
        preview["cost_share_percent"] = (preview["cost_share"] * 100 / total).quantize(Decimal("0.01")) if total else 0
        return render(
            request,
            "grants/my/_budget_totals.html",
            {"totals": preview, "call": self.application.call, "preview": True},
        )
