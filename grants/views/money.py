"""Money at a glance: the grant page's money panels (staff and grantee), the portfolio page per call, component or
municipality, and finance's monthly exchange rates.

Thin views: figures come from grants.selectors_money, rates are written by grants.services.exchange_rates. Whoever
may not see money gets 404; whoever may read rates but not change them gets 404 on a change.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from grants.forms.money import MONTH_FORMATS, ExchangeRateForm, MoneyFilterForm
from grants.models import ExchangeRate, GrantStatus
from grants.permissions import can_manage_exchange_rates, can_view_grant, can_view_money, can_view_portfolio
from grants.selectors_money import (
    OVERSPEND_PERCENT,
    exchange_rate_gaps,
    exchange_rates_list,
    fiscal_years,
    grant_money,
    portfolio_money,
)
from grants.services.exchange_rates import exchange_rate_set, month_label

RATES_PER_PAGE = 24
ACTION_LABELS = {
    "grants.exchange_rate.recorded": gettext_lazy("Exchange rate recorded"),
    "grants.exchange_rate.changed": gettext_lazy("Exchange rate corrected"),
}


def _rate_link(month):
    return f"{reverse('staff:exchange_rates')}?{urlencode({'month': month.strftime('%Y-%m')})}#rate-form"


# --- Panels of the grant page ------------------------------------------------------------------------------------
def money_panel(request, grant):
    """Staff: approved, paid, remaining (EUR and USD), cost share, budget against accepted spending."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE or not can_view_money(request.user, grant):
        return None
    money = grant_money(grant)
    may_manage_rates = can_manage_exchange_rates(request.user)
    return {
        "template": "grants/staff/_grant_panel_money.html",
        "title": _("Money"),
        "anchor": "money",
        "money": money,
        "may_manage_rates": may_manage_rates,
        "missing_rates": [
            {"month": month, "add_url": _rate_link(month) if may_manage_rates else ""} for month in money.missing_months
        ],
        "rates_url": reverse("staff:exchange_rates"),
        "overspend_percent": OVERSPEND_PERCENT,
    }


def my_money_panel(request, grant):
    """The grantee: approved, paid, remaining, and their cost share contributed against the commitment."""
    if grant.status == GrantStatus.AWAITING_SIGNATURE or not can_view_grant(request.user, grant):
        return None
    return {
        "template": "grants/my/_panel_money.html",
        "title": _("Money"),
        "anchor": "money",
        "money": grant_money(grant, with_usd=False),
    }


# --- The portfolio -----------------------------------------------------------------------------------------------
def _grant_list_url(link_filter, filters):
    params = {**link_filter}
    if filters["status"]:
        params["status"] = filters["status"]
    if filters["fy"]:
        params["fy"] = filters["fy"]
    return f"{reverse('staff:grants_list')}?{urlencode(params)}"


class MoneyPortfolioView(PermissionRequiredMixin, View):
    """/staff/money/: the portfolio's money per call, component or municipality, with a total."""

    permission = staticmethod(can_view_portfolio)

    def get(self, request):
        form = MoneyFilterForm(request.GET or None, fiscal_years=fiscal_years())
        filters = form.filters()
        portfolio = portfolio_money(group=filters["group"], status=filters["status"], fiscal_year=filters["fy"])
        for row in portfolio.rows:
            linked = row.link_filter and can_view_money(request.user)  # USAID's viewer reads only the aggregates
            row.url = _grant_list_url(row.link_filter, filters) if linked else ""
        tabs = [
            {"code": code, "label": label, "url": "?" + urlencode({**_kept(filters), "group": code})}
            for code, label in form.fields["group"].choices
        ]
        context = {
            "form": form,
            "filters": filters,
            "portfolio": portfolio,
            "tabs": tabs,
            "missing_rates": [{"month": month, "add_url": _rate_link(month)} for month in portfolio.missing_months],
            "may_manage_rates": can_manage_exchange_rates(request.user),
        }
        return render(request, "grants/staff/money_portfolio.html", context)


def _kept(filters):
    return {name: filters[name] for name in ("status", "fy") if filters[name]}


# --- Exchange rates ----------------------------------------------------------------------------------------------
def _initial_rate(request):
    """?month=2026-03 opens the form on that month, with its current rate when one is recorded."""
    try:
        month = forms.DateField(input_formats=MONTH_FORMATS).clean(request.GET.get("month", ""))
    except ValidationError:
        return {}
    month = month.replace(day=1)
    row = ExchangeRate.objects.filter(month=month).first()
    if row:
        return {"month": month, "usd_per_eur": row.usd_per_eur, "source": row.source}
    return {"month": month}


class ExchangeRateListView(PermissionRequiredMixin, View):
    """/staff/money/rates/: the monthly rates, the months that lack one, and (for finance) the form to add or
    correct a rate."""

    permission = staticmethod(can_view_money)

    def get(self, request):
        form = ExchangeRateForm(initial=_initial_rate(request)) if can_manage_exchange_rates(request.user) else None
        return self._render(form)

    def post(self, request):
        self.check_permission(permission=can_manage_exchange_rates)
        form = ExchangeRateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The rate was not saved. Correct the fields marked in red and save again."))
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            rate = exchange_rate_set(
                actor=request.user, month=data["month"], usd_per_eur=data["usd_per_eur"], source=data["source"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            messages.error(request, error.message)
            return self._render(form, status=400)
        messages.success(
            request,
            _("The rate for %(month)s is now %(rate)s USD for 1 EUR.")
            % {"month": month_label(rate.month), "rate": rate.usd_per_eur},
        )
        return redirect("staff:exchange_rates")

    def _render(self, form, status=200):
        page = Paginator(exchange_rates_list(), RATES_PER_PAGE).get_page(self.request.GET.get("page"))
        gaps = exchange_rate_gaps()
        context = {
            "form": form,
            "page_obj": page,
            "rates": page.object_list,
            "gaps": [{"month": month, "add_url": _rate_link(month) if form else ""} for month in gaps],
        }
        return render(self.request, "grants/staff/exchange_rate_list.html", context, status=status)
