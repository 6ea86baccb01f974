"""The business panel of a business-development grant's staff page: create the business from the application, or
find one already in the list (by name or NUI) and link it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from businesses.models import Business, LegalForm, Sector
from businesses.permissions import can_manage_businesses, can_view_businesses
from businesses.selectors import filter_businesses
from core.errors import ApplicationError
from grants.services.business_link import business_create_from_grant, business_link_existing, is_business_grant
from grants.views.grants import StaffGrantMixin

ACTION_LABELS = {"grants.grant.business_linked": gettext_lazy("Business linked to the grant")}
SEARCH_PARAM = "business_q"
SEARCH_LIMIT = 10


def business_matches(q):
    """Up to SEARCH_LIMIT businesses whose name, trade name or NUI matches `q` (one query; none without `q`), and
    whether there were more.
    """
    q = (q or "").strip()[:100]
    if not q:
        return [], False
    queryset = filter_businesses(
        Business.objects.select_related("municipality").annotate(grant_count=Count("grants")), {"q": q}
    ).order_by("name", "id")
    matches = list(queryset[: SEARCH_LIMIT + 1])
    return matches[:SEARCH_LIMIT], len(matches) > SEARCH_LIMIT


def _search_context(request):
    q = (request.GET.get(SEARCH_PARAM) or "").strip()[:100]
    matches, has_more = business_matches(q)
    return {"q": q, "matches": matches, "has_more": has_more, "limit": SEARCH_LIMIT, "param": SEARCH_PARAM}


def business_panel(request, grant):
    """The grant's business (no query: select_related by the page), or the ways to record it; None for others.

    A search for an existing business (`?business_q=`) costs one query, and only when something was searched.
    """
    if not is_business_grant(grant) or not can_view_businesses(request.user):
        return None
    may_link = can_manage_businesses(request.user) and not grant.business_id
    return {
        "template": "grants/staff/_grant_panel_business.html",
        "title": _("Business"),
        "anchor": "business",
        "business": grant.business if grant.business_id else None,
        "may_create": may_link,
        "may_link": may_link,
        "search": _search_context(request) if may_link else None,
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


class GrantBusinessSearchView(StaffGrantMixin, View):
    """The matches of the panel's search: only the list for htmx; without JavaScript, the grant page with them."""

    permission = staticmethod(can_manage_businesses)

    def get(self, request, pk):
        grant = self.get_grant()
        if not is_business_grant(grant):
            raise Http404
        if not request.htmx:
            query = urlencode({SEARCH_PARAM: request.GET.get(SEARCH_PARAM, "")})
            return redirect(reverse("staff:grant_detail", args=[grant.pk]) + f"?{query}#business")
        context = {"grant": grant, "search": _search_context(request), "may_link": not grant.business_id}
        return render(request, "grants/staff/_grant_business_matches.html", context)


class GrantBusinessLinkView(StaffGrantMixin, View):
    """Link the grant to a business found by the search; a second click on the same button changes nothing."""

    permission = staticmethod(can_manage_businesses)

    def post(self, request, pk):
        grant = self.get_grant()
        business_pk = request.POST.get("business", "")
        if not business_pk.isdigit() or len(business_pk) > 18:
            raise Http404
        business = get_object_or_404(Business, pk=int(business_pk))
        back = reverse("staff:grant_detail", args=[grant.pk]) + "#business"
        try:
            business_link_existing(actor=request.user, grant=grant, business=business)
        except ApplicationError as error:
            if error.code == "already_linked_same":
                messages.info(request, error.message)
            else:
                messages.error(request, error.message)
            return redirect(back)
        messages.success(request, _("The grant is now linked to %(name)s.") % {"name": business.name})
        return redirect(back)
