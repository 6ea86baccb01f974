from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts import permissions
from accounts.forms import OrganisationForm, PreferencesForm, ProfileForm
from accounts.selectors import organisations_of_member, start_url_name_for
from accounts.services import applicant_profile_save, organisation_save_for_member, user_set_language
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin


@login_required
def start(request):
    """After log-in every role arrives at its own start page."""
    return redirect(start_url_name_for(request.user))


class PreferencesView(PermissionRequiredMixin, FormView):
    permission = staticmethod(permissions.can_edit_own_preferences)
    template_name = "accounts/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def form_valid(self, form):
        user_set_language(actor=self.request.user, user=self.request.user, language=form.cleaned_data["language"])
        messages.success(self.request, _("Your preferences were saved."))
        return redirect("preferences")


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class ProfileView(PermissionRequiredMixin, FormView):
    """The applicant's own record (a Person) and the organisations they may apply for."""

    permission = staticmethod(permissions.can_use_applicant_space)
    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        person = getattr(self.request.user, "person", None)
        kwargs["instance"] = person
        if person is None:
            kwargs["initial"] = {
                "first_name": self.request.user.first_name,
                "last_name": self.request.user.last_name,
                "email": self.request.user.email,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisations"] = organisations_of_member(user=self.request.user)
        context["next"] = _safe_next(self.request, "")
        return context

    def form_valid(self, form):
        applicant_profile_save(actor=self.request.user, data=form.cleaned_data)
        messages.success(self.request, _("Your profile was saved."))
        return redirect(_safe_next(self.request, reverse("profile")))


class OrganisationFormView(PermissionRequiredMixin, FormView):
    permission = staticmethod(permissions.can_use_applicant_space)
    template_name = "accounts/organisation_form.html"
    form_class = OrganisationForm

    def get_organisation(self):
        if "pk" not in self.kwargs:
            return None
        organisation = organisations_of_member(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if organisation is None:
            raise Http404
        return organisation

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_organisation()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _safe_next(self.request, "")
        return context

    def form_valid(self, form):
        try:
            organisation_save_for_member(
                actor=self.request.user, data=form.cleaned_data, organisation=self.get_organisation()
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("The organisation was saved."))
        return redirect(_safe_next(self.request, reverse("profile")))
