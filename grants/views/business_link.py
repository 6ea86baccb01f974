"""The business panel of a business-development grant's staff page, and its "create the business" action."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from businesses.models import LegalForm, Sector
from businesses.permissions import can_manage_businesses, can_view_businesses
from core.errors import ApplicationError
from grants.services.business_link import business_create_from_grant, is_business_grant
from grants.views.grants import StaffGrantMixin

ACTION_LABELS = {"grants.grant.business_linked": gettext_lazy("Business recorded from the application")}


def business_panel(request, grant):
    """The grant's business (no query: select_related by the page), or a button to create it; None for others."""
    if not is_business_grant(grant) or not can_view_businesses(request.user):
        return None
    return {
        "template": "grants/staff/_grant_panel_business.html",
        "title": _("Business"),
        "anchor": "business",
        "business": grant.business if grant.business_id else None,
        "may_create": can_manage_businesses(request.user) and not grant.business_id,
        "sectors": Sector.choices,
        "legal_forms": LegalForm.choices,
    }


class GrantBusinessCreateView(StaffGrantMixin, View):
    permission = staticmethod(can_manage_businesses)

    def post(self, request, pk):
        grant = self.get_grant()
        sector = request.POST.get("sector") if request.POST.get("sector") in Sector.values else Sector.OTHER
        legal_form = request.POST.get("legal_form") if request.POST.get("legal_form") in LegalForm.values else None
        try:
            business = business_create_from_grant(actor=request.user, grant=grant, sector=sector, legal_form=legal_form)
        except ApplicationError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The business %(name)s was recorded from the application.") % {"name": business.name}
            )
            return redirect("staff:business_detail", pk=business.pk)
        return redirect(reverse("staff:grant_detail", args=[grant.pk]) + "#business")
