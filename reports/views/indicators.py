"""Staff pages of the indicators (/<lang>/staff/indicators/…): the catalogue with this year's figures, one
indicator with its quarters, breakdowns and adjustments, its edit form, and the records behind any figure.

Every figure comes from reports.selectors (the same rows the dashboard and the reports print) and is a link to the
records behind it for those who may open them (reports.permissions.can_open_records); USAID's viewer sees the
numbers only. A refusal, an unknown indicator or calculation answers 404.
"""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Component
from core.errors import ApplicationError
from core.permissions import PermissionRequiredMixin
from reports.calculations import registry
from reports.calculations.base import ShareCalculation
from reports.forms_indicators import AdjustmentForm, IndicatorForm, TargetFormSet
from reports.models import Indicator
from reports.periods import current_fiscal_year, fiscal_year_of, period_from_params
from reports.permissions import (
    can_adjust_indicator,
    can_manage_indicators,
    can_open_records,
    can_request_report_kind,
    can_view_indicators,
)
from reports.records import RECORD_KINDS
from reports.selectors import indicator_row, indicator_table, indicators_queryset, parse_filters
from reports.services import catalogue

RECORDS_PER_PAGE = 50
EXPORT_FORMATS = ("xlsx", "csv")
ADJUSTMENT_ERROR_FIELDS = {"no_reason": "reason", "zero_value": "value"}


# --- Shared helpers --------------------------------------------------------------------------------------------
def _fiscal_years(selected):
    first = fiscal_year_of(settings.PROGRAMME_START_DATE)
    last = max(current_fiscal_year() + 1, selected, first)
    return list(range(min(first, selected), last + 1))


def _year_and_quarter(request, *, with_quarter=True):
    """(fiscal year, quarter or None, error message or ""): a bad choice falls back to the current fiscal year."""
    params = {"fy": request.GET.get("fy", ""), "q": request.GET.get("q", "") if with_quarter else ""}
    try:
        period = period_from_params(params)
    except ValueError as error:
        return current_fiscal_year(), None, str(error)
    return period.fiscal_year, period.quarter, ""


def _may_open(user, calculation):
    """Whether `user` may open the records behind the figures of `calculation`."""
    kind = RECORD_KINDS.get(calculation.record_kind) if calculation else None
    return kind is not None and can_open_records(user, kind)


def _component_groups(rows):
    """[(label, rows)] by component in the programme's order, cross-cutting last; empty groups left out."""
    order = [*((value, label) for value, label in Component.choices), ("", _("Cross-cutting"))]
    return [
        (label, chosen)
        for value, label in order
        if (chosen := [row for row in rows if (row.indicator.component or "") == value])
    ]


# --- The catalogue ---------------------------------------------------------------------------------------------
class IndicatorListView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_indicators)

    def get(self, request):
        fiscal_year, quarter, error = _year_and_quarter(request)
        rows = indicator_table(fiscal_year, through_quarter=quarter, with_breakdowns=False, year_only=True)
        for row in rows:
            row.may_open = _may_open(request.user, row.calculation)
        context = {
            "groups": _component_groups(rows),
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "fiscal_years": _fiscal_years(fiscal_year),
            "quarters": (1, 2, 3, 4),
            "error": error,
            "may_manage": can_manage_indicators(request.user),
        }
        return render(request, "reports/indicators/indicator_list.html", context, status=400 if error else 200)


# --- One indicator ---------------------------------------------------------------------------------------------
def _indicator_or_404(pk):
    indicator = indicators_queryset(active_only=False).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    return indicator


def render_indicator_detail(request, indicator, fiscal_year, *, adjust_form=None, error="", status=200):
    """The indicator page; the adjustment view renders it again with its refused form (and what was typed)."""
    row = indicator_row(indicator, fiscal_year, with_breakdowns=True)
    calculation = registry.get(indicator.calculation)
    may_adjust = can_adjust_indicator(request.user)
    if may_adjust and adjust_form is None:
        adjust_form = AdjustmentForm(initial={"fiscal_year": fiscal_year})
    adjustments = [a for a in indicator.adjustments.all() if a.fiscal_year == fiscal_year]
    context = {
        "indicator": indicator,
        "calculation": calculation,
        "row": row,
        "fiscal_year": fiscal_year,
        "fiscal_years": _fiscal_years(fiscal_year),
        "targets": list(indicator.targets.all()),
        "breakdowns": row.breakdowns if row is not None else [],
        "any_adjusted": row is not None and any(c is not None and c.is_adjusted for c in [*row.quarters, row.year]),
        "adjustments": adjustments,
        "adjust_form": adjust_form if may_adjust else None,
        "may_open": _may_open(request.user, calculation),
        "may_manage": can_manage_indicators(request.user),
        "is_share": isinstance(calculation, ShareCalculation),
        "error": error,
    }
    return render(request, "reports/indicators/indicator_detail.html", context, status=status)


class IndicatorDetailView(PermissionRequiredMixin, View):
    permission = staticmethod(can_view_indicators)

    def get(self, request, pk):
        indicator = _indicator_or_404(pk)
        fiscal_year, _quarter, error = _year_and_quarter(request, with_quarter=False)
        return render_indicator_detail(request, indicator, fiscal_year, error=error, status=400 if error else 200)


class AdjustmentCreateView(PermissionRequiredMixin, View):
    """Record an adjustment (POST from the indicator page). A refusal shows the page again with what was typed."""

    permission = staticmethod(can_adjust_indicator)

    def get(self, request, pk):
        indicator = get_object_or_404(Indicator, pk=pk)
        return redirect(indicator.get_absolute_url() + "#adjust")

    def post(self, request, pk):
        indicator = _indicator_or_404(pk)
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                adjustment = catalogue.record_adjustment(actor=request.user, indicator=indicator, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(ADJUSTMENT_ERROR_FIELDS.get(error.code), error.message)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("The adjustment to FY%(year)s Q%(quarter)s was recorded.")
                    % {"year": adjustment.fiscal_year, "quarter": adjustment.quarter},
                )
                url = indicator.get_absolute_url() + "?" + urlencode({"fy": adjustment.fiscal_year})
                return redirect(url + "#adjustments")
        fiscal_year = form.cleaned_data.get("fiscal_year") if hasattr(form, "cleaned_data") else None
        if not fiscal_year:
            fiscal_year, _quarter, _error = _year_and_quarter(request, with_quarter=False)
        return render_indicator_detail(request, indicator, fiscal_year, adjust_form=form, status=400)


class IndicatorEditView(PermissionRequiredMixin, View):
    permission = staticmethod(can_manage_indicators)
    template_name = "reports/indicators/indicator_form.html"

    def get(self, request, pk):
        indicator = get_object_or_404(Indicator, pk=pk)
        targets = [{"fiscal_year": t.fiscal_year, "value": t.value} for t in indicator.targets.order_by("fiscal_year")]
        form = IndicatorForm(instance=indicator)
        formset = TargetFormSet(initial=targets, prefix="targets")
        return self.render_form(indicator, form, formset)

    def post(self, request, pk):
        indicator = get_object_or_404(Indicator, pk=pk)
        if "add_target" in request.POST:
            return self.render_with_more_rows(request, indicator)
        form = IndicatorForm(request.POST, instance=indicator)
        formset = TargetFormSet(request.POST, prefix="targets")
        if form.is_valid() and formset.is_valid():
            try:
                catalogue.update_indicator(
                    actor=request.user,
                    indicator=Indicator.objects.get(pk=pk),
                    data=form.service_data(),
                    targets=formset.targets(),
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The indicator %(code)s was saved.") % {"code": form.cleaned_data["code"]})
                return redirect("staff:indicator_detail", pk=pk)
        return self.render_form(indicator, form, formset, status=400)

    def render_with_more_rows(self, request, indicator):
        """ "Add a row" without JavaScript: the same form again, with what was typed and one empty target row."""
        data = request.POST.copy()
        key = "targets-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, "0")) + 1)
        except ValueError:
            data[key] = "1"
        form = IndicatorForm(data, instance=indicator)
        formset = TargetFormSet(data, prefix="targets")
        return self.render_form(indicator, form, formset, show_errors=False)

    def render_form(self, indicator, form, formset, *, status=200, show_errors=True):
        context = {
            "indicator": indicator,
            "form": form,
            "formset": formset,
            "show_errors": show_errors,
            "cancel_url": indicator.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)


# --- The records behind a figure -------------------------------------------------------------------------------
def _cell_text(value):
    """A record's value as the list prints it: dates d.m.Y, amounts with two decimals."""
    if value is None:
        return "", False
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT"), False
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT"), False
    if isinstance(value, Decimal):
        return number_format(value, 2, force_grouping=True), True
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value), True
    return str(value), False


class RecordsView(PermissionRequiredMixin, View):
    """GET: the records behind a figure, 50 a page. POST `format=xlsx|csv`: ask for the export as a report run."""

    permission = staticmethod(can_view_indicators)

    def setup_records(self, request, key):
        self.calculation = registry.get(key)
        if self.calculation is None:
            raise Http404
        self.kind = RECORD_KINDS.get(self.calculation.record_kind)
        if self.kind is None or not can_open_records(request.user, self.kind):
            raise Http404
        try:
            self.filters = parse_filters(request.GET.getlist("f"), self.calculation)
        except ValueError as error:
            raise Http404 from error
        self.numerator = request.GET.get("numerator") == "1"
        if self.numerator and not isinstance(self.calculation, ShareCalculation):
            raise Http404
        self.indicator = Indicator.objects.filter(calculation=key).first()

    def get(self, request, key):
        self.setup_records(request, key)
        try:
            period = period_from_params(request.GET)
        except ValueError as error:
            return render(request, "reports/indicators/records.html", self.base_context(None, str(error)), status=400)
        records = (
            self.calculation.numerator_records(period, self.filters)
            if self.numerator
            else self.calculation.records_for(period, self.filters)
        )
        page = Paginator(self.kind.prepared(records), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
        figure = self.calculation.compute(period, filters=self.filters)
        rows = [
            (self.kind.url(record) if self.kind.url else "", [_cell_text(v) for v in self.kind.row(record)])
            for record in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.base_context(period, ""),
            "figure": figure,
            "count": page.paginator.count,
            "page_obj": page,
            "rows": rows,
            "headers": self.kind.headers(),
            "query": query.urlencode(),
            "may_export": can_request_report_kind(request.user, "records"),
            "export_formats": EXPORT_FORMATS,
        }
        return render(request, "reports/indicators/records.html", context)

    def post(self, request, key):
        self.setup_records(request, key)
        back = request.get_full_path()
        try:
            period = period_from_params(request.GET)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect(back)
        export_format = request.POST.get("format")
        if export_format not in EXPORT_FORMATS:
            messages.error(request, _("Choose XLSX or CSV for the export."))
            return redirect(back)
        from reports.services.runs import request_run

        try:
            run = request_run(
                actor=request.user,
                kind="records",
                format=export_format,
                language=request.LANGUAGE_CODE,
                period=period,
                params={
                    "calculation": self.calculation.key,
                    "filters": [[code, part] for code, part in self.filters],
                    "numerator": self.numerator,
                },
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(back)
        return redirect("staff:report_run_detail", pk=run.pk)

    def base_context(self, period, error):
        return {
            "calculation": self.calculation,
            "kind": self.kind,
            "indicator": self.indicator,
            "unit": self.indicator.unit if self.indicator else self.calculation.unit,
            "period": period,
            "filters": self.described_filters(),
            "numerator": self.numerator,
            "is_share": isinstance(self.calculation, ShareCalculation),
            "error": error,
            "back_url": self.indicator.get_absolute_url() if self.indicator else reverse("staff:indicators_list"),
        }

    def described_filters(self):
        """[(breakdown label, part label)] for the title, in words."""
        described = []
        for code, part in self.filters:
            dimension = self.calculation.dimensions[code]
            described.append((dimension.label, dimension.part_labels().get(part, part)))
        return described
