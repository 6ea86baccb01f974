from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from accounts import permissions
from accounts.forms import PreferencesForm
from accounts.roles import Role, user_roles
from accounts.selectors import programme_counts, start_url_name_for
from accounts.services import user_set_language
from core.permissions import PermissionRequiredMixin
from municipalities.selectors import partner_municipalities


@login_required
def start(request):
    """After log-in every role arrives at its own start page."""
    return redirect(start_url_name_for(request.user))


def _role_labels(user):
    labels = dict(Role.choices)
    return [labels[code] for code in sorted(user_roles(user)) if code in labels]


class ApplicantHomeView(PermissionRequiredMixin, TemplateView):
    permission = staticmethod(permissions.can_use_applicant_space)
    template_name = "accounts/my_home.html"


class ReviewerHomeView(PermissionRequiredMixin, TemplateView):
    permission = staticmethod(permissions.can_use_review_space)
    template_name = "accounts/review_home.html"


class StaffHomeView(PermissionRequiredMixin, TemplateView):
    permission = staticmethod(permissions.can_use_staff_space)
    template_name = "accounts/staff_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role_labels"] = _role_labels(self.request.user)
        context["counts"] = programme_counts()
        context["municipality_count"] = partner_municipalities().count()
        context["is_admin"] = Role.ADMIN in user_roles(self.request.user)
        return context


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
