"""Forms of the indicator pages: the catalogue entry with its targets, an adjustment, and the fiscal-year filter.
They validate and shape input only; reports.services.catalogue saves it.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from reports.calculations import registry
from reports.models import Indicator

QUARTERS = [
    (1, _("Q1 (October–December)")),
    (2, _("Q2 (January–March)")),
    (3, _("Q3 (April–June)")),
    (4, _("Q4 (July–September)")),
]


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class IndicatorForm(forms.ModelForm):
    """The catalogue entry. The breakdowns offered are those of the chosen calculation only."""

    calculation = forms.ChoiceField(
        label=_("Calculation"),
        help_text=_("How the figure is computed from the records. Save to see the breakdowns it offers."),
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The breakdowns this indicator reports; the calculation says which it can give."),
        error_messages={
            "invalid_choice": _(
                "The chosen calculation cannot break its figure down by %(value)s. Untick it, or choose another "
                "calculation."
            )
        },
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_sq",
            "name_sr",
            "name_sr_cyrl",
            "name_en",
            "definition",
            "unit",
            "type",
            "direction",
            "component",
            "calculation",
            "disaggregations",
            "baseline_value",
            "baseline_date",
            "lop_target",
            "is_active",
            "order",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "code": {
                "unique": _("Another indicator already has this code. Codes must be unique: choose another."),
                "required": _("Enter the indicator's code, as the donor numbers it."),
            },
            "calculation": {"unique": _("Another indicator already uses this calculation. Choose another.")},
            "name_sq": {"required": _("Enter the name in Albanian.")},
            "name_en": {"required": _("Enter the name in English.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calculation"].choices = registry.choices()
        self.fields["component"].choices = [("", _("Cross-cutting")), *self.fields["component"].choices[1:]]
        calculation = registry.get(self._chosen_calculation())
        dimensions = calculation.dimensions if calculation else {}
        self.fields["disaggregations"].choices = [(code, dim.label) for code, dim in dimensions.items()]
        self.fields["name_sr_cyrl"].help_text = _("Optional: without it the Latin name is transliterated.")
        self.helper = _helper()

    def _chosen_calculation(self):
        if self.is_bound:
            return self.data.get(self.add_prefix("calculation"), "")
        return self.initial.get("calculation") or self.instance.calculation

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def service_data(self):
        """The fields as reports.services.catalogue.update_indicator takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TargetForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"),
        min_value=2000,
        max_value=2100,
        required=False,
        error_messages={
            "min_value": _("A fiscal year between 2000 and 2100."),
            "max_value": _("A fiscal year between 2000 and 2100."),
        },
    )
    value = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=2, required=False)

    def clean(self):
        data = super().clean()
        year, value = data.get("fiscal_year"), data.get("value")
        if year is None and value is not None:
            self.add_error("fiscal_year", _("Say which fiscal year this target is for."))
        if year is not None and value is None and not self.cleaned_data.get("DELETE"):
            self.add_error("value", _("Enter the target for FY%(year)s, or tick Remove.") % {"year": year})
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            year = form.cleaned_data.get("fiscal_year")
            if year is None or form.cleaned_data.get("DELETE"):
                continue
            if year in seen:
                raise forms.ValidationError(
                    _("FY%(year)s has two targets. Keep one row per fiscal year.") % {"year": year}
                )
            seen.add(year)

    def targets(self):
        """{fiscal year: value} of the rows kept."""
        return {
            form.cleaned_data["fiscal_year"]: form.cleaned_data["value"]
            for form in self.forms
            if form.cleaned_data.get("fiscal_year") is not None and not form.cleaned_data.get("DELETE")
        }


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True)


class AdjustmentForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)
    value = forms.DecimalField(
        label=_("Adjustment"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Added to the computed figure of the quarter; negative to remove."),
        error_messages={"required": _("Enter the amount to add to the computed figure (negative to remove).")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the computed figure is not right, and the evidence. Shown beside the figure."),
        error_messages={
            "required": _("Say why the computed figure needs this adjustment: the reason is shown beside it.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason
