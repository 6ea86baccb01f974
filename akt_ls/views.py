from django.views.generic import TemplateView

from core.choices import Component
from municipalities.selectors import partner_municipalities_by_group


class HomeView(TemplateView):
    """The public home page: the programme, its open calls and its 16 partner municipalities."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipality_groups"] = partner_municipalities_by_group()
        context["components"] = Component
        context["open_calls"] = []  # calls for proposals arrive with the applicant portal
        return context
