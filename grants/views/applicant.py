"""The applicant's pages: dashboard, starting an application, its steps, submission and after."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import can_use_applicant_space
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from core.selectors import audit_entries_for
from grants import services
from grants.display import application_display, labelled_timeline
from grants.forms.applicant import (
    ClarificationAnswerForm,
    StartForm,
    WithdrawForm,
)
from grants.models import Call, CallStatus
from grants.permissions import can_apply, can_edit_application, can_withdraw_application
from grants.selectors import applications_of_applicant, open_calls
from grants.selectors_reports import reports_due_for_grantee
from grants.services.applications import budget_totals, missing_items

STASH_KEY = "unsaved_form:{path}"


class MyDashboardView(PermissionRequiredMixin, TemplateView):
    """/my/: drafts and submitted applications with status, deadline and what is missing."""

    permission = staticmethod(can_use_applicant_space)
    template_name = "grants/my/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applications = list(
            applications_of_applicant(user=self.request.user).prefetch_related(
                "budget_lines", "documents", "call__questions", "call__documents"
            )
        )
        for application in applications:
            application.missing = missing_items(application) if application.is_editable else []
        context["applications"] = applications
        context["has_profile"] = hasattr(self.request.user, "person")
        context["open_calls"] = open_calls()
        context["reports_due"] = reports_due_for_grantee(user=self.request.user)
        return context


class ApplyStartView(PermissionRequiredMixin, View):
    """Choose how you apply (as a person, a group or an organisation) and open a draft."""

    permission = staticmethod(can_use_applicant_space)
    template_name = "grants/my/apply_start.html"

    def get_call(self):
        return get_object_or_404(Call.objects.exclude(status=CallStatus.DRAFT), code=self.kwargs["code"])

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and can_use_applicant_space(user) and not hasattr(user, "person"):
            messages.info(request, _("Please complete your profile first; then you can start the application."))
            return redirect(f"{reverse('profile')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, code):
        call = self.get_call()
        return self._render(call, StartForm(call=call, user=request.user))

    def post(self, request, code):
        call = self.get_call()
        form = StartForm(request.POST, call=call, user=request.user)
        if form.is_valid():
            try:
                application = services.application_start(
                    actor=request.user,
                    call=call,
                    person=request.user.person,
                    applicant_type=form.cleaned_data["applicant_type"],
                    organisation=form.cleaned_data["organisation"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("application_step", pk=application.pk, step="applicant")
        return self._render(call, form)

    def _render(self, call, form):
        return render(
            self.request,
            self.template_name,
            {"call": call, "form": form, "call_open": can_apply(self.request.user, call)},
        )


class OwnApplicationMixin:
    """Loads the logged-in applicant's own application; anyone else gets 404.

    A POST that arrives after the session expired keeps what was typed: it is stashed in the new
    session and offered again on the same page after log-in.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
                request.session[STASH_KEY.format(path=request.path)] = data
                return redirect_to_login(request.path)
            raise Http404
        self.application = _own_application(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def stashed(self):
        data = self.request.session.pop(STASH_KEY.format(path=self.request.path), None)
        if data is None:
            return None
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for key, values in data.items():
            query.setlist(key, values)
        messages.warning(self.request, _("Your session had expired. We kept what you typed: check it and save again."))
        return query


def _own_application(user, pk):
    from grants.selectors import application_for_user

    application = application_for_user(user=user, pk=pk)
    if application.applicant_id != user.pk:
        raise Http404
    return application


class ApplicationDetailView(OwnApplicationMixin, TemplateView):
    """The application as submitted, read-only, with its timeline, withdrawal and clarifications."""

    template_name = "grants/my/application_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.application
        context.update(
            application=application,
            timeline=labelled_timeline(audit_entries_for(target=application)),
            display=application_display(application, user=self.request.user),
            totals=budget_totals(application),
            can_edit=can_edit_application(self.request.user, application),
            can_withdraw=can_withdraw_application(self.request.user, application),
            withdraw_form=WithdrawForm(),
            clarification=next((c for c in application.clarifications.all() if not c.answered_at), None),
            clarification_form=ClarificationAnswerForm(),
            document_url_name="application_document",
        )
        return context


class WithdrawView(OwnApplicationMixin, View):
    def post(self, request, pk):
        form = WithdrawForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.application_withdraw(actor=request.user, application=self.application, reason=reason)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("application_detail", pk=pk)


class ClarificationAnswerView(OwnApplicationMixin, View):
    def post(self, request, pk):
        from grants.services.clarifications import application_answer_clarification

        form = ClarificationAnswerForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("application_detail", pk=pk)
        try:
            application_answer_clarification(
                actor=request.user,
                application=self.application,
                response=form.cleaned_data["response"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            for _section, missing in error.extra.get("missing", []):
                messages.error(request, missing)
        else:
            messages.success(request, _("Your answer was sent; the application is submitted again."))
        return redirect("application_detail", pk=pk)
