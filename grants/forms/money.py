"""Forms of the money pages: the portfolio's filters (GET) and a month's exchange rate (finance).

They validate and shape input only; grants.services.exchange_rates saves a rate. The template owns <form>.
"""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.models import GrantStatus
from grants.services.exchange_rates import RATE_DECIMALS

TOO_LARGE = _("The rate is far too large for USD per EUR; check the number (for example 1.085000).")
GROUP_CHOICES = [
    ("call", pgettext_lazy("group money by", "Call")),
    ("component", pgettext_lazy("group money by", "Component")),
    ("municipality", pgettext_lazy("group money by", "Municipality")),
]
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%m.%Y", "%m/%Y", "%d.%m.%Y"]


class MoneyFilterForm(forms.Form):
    """Grouping, status and fiscal year of the portfolio page; a value it does not know falls back to the default."""

    group = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    fy = forms.TypedChoiceField(label=_("Fiscal year signed"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All signed grants")), *GrantStatus.choices]
        self.fields["fy"].choices = [("", _("All years"))] + [
            (year, _("FY %(year)s (1 Oct %(start)s – 30 Sep %(year)s)") % {"year": year, "start": year - 1})
            for year in fiscal_years
        ]
        for name in ("group", "status", "fy"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def filters(self):
        """The valid filters, each one on its own: a wrong ?fy= does not lose the ?group= next to it."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"group": data.get("group") or "call", "status": data.get("status") or "", "fy": data.get("fy")}


class RateField(forms.DecimalField):
    """A decimal that also accepts a comma as the decimal separator (1,0850), as people in Kosovo write it."""

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)


class ExchangeRateForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("For example 2026-03. The rate counts for the whole month."),
        error_messages={"invalid": _("Enter the month as year and month, for example 2026-03.")},
    )
    usd_per_eur = RateField(
        label=_("USD for 1 EUR"),
        max_digits=10,
        decimal_places=RATE_DECIMALS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("How many US dollars one euro buys, with up to 6 decimals, for example 1.085000."),
        error_messages={
            "invalid": _("Enter the rate as a number, for example 1.085000."),
            "max_decimal_places": _("Use at most 6 decimals, for example 1.085432."),
            "max_whole_digits": _(
                "The rate is far too large for USD per EUR; check the number (for example 1.085000)."
            ),
            "max_digits": _("The rate is far too large for USD per EUR; check the number (for example 1.085000)."),
        },
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the rate comes from, for example “USAID monthly rate” or “ECB reference rate, 1 March”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if isinstance(month, datetime.date) else month

    def clean_usd_per_eur(self):
        rate = self.cleaned_data["usd_per_eur"]
        if rate is not None and rate <= 0:
            raise ValidationError(
                _("The rate must be greater than zero: enter how many US dollars one euro buys, for example 1.085000."),
                code="rate_not_positive",
            )
        return rate
