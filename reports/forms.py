"""The form a manager fills in at /staff/reports/ to ask for a report."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.models import Municipality
from reports.models import ReportFormat, ReportKind
from reports.periods import Period, fiscal_year_of, quarter_of
from reports.permissions import can_request_report_kind
from reports.services.runs import allowed_formats

# The reports people ask for on this page ("records" runs are asked for from a figure's list of records).
REQUESTABLE_KINDS = [kind for kind in ReportKind if kind != ReportKind.RECORDS]
# What each report comes as (the documents' own lists decide; this is the order shown).
FORMAT_ORDER = [ReportFormat.PDF, ReportFormat.XLSX]


class PeriodType:
    QUARTER = "quarter"
    YEAR = "year"
    DATES = "dates"
    CHOICES = [
        (QUARTER, gettext_lazy("A quarter of a fiscal year")),
        (YEAR, gettext_lazy("A whole fiscal year")),
        (DATES, gettext_lazy("From a date to a date")),
    ]


def last_completed_quarter(today=None):
    """(fiscal year, quarter) of the last quarter that has ended: on 27.11.2026, FY2026 Q4."""
    today = today or timezone.localdate()
    fiscal_year, quarter = fiscal_year_of(today), quarter_of(today)
    return (fiscal_year - 1, 4) if quarter == 1 else (fiscal_year, quarter - 1)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"))
    period_type = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PeriodType.CHOICES, initial=PeriodType.QUARTER, widget=forms.RadioSelect
    )
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("Fiscal year"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=gettext_lazy("FY 2027 runs from 1 October 2026 to 30 September 2027."),
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", "—"),
            (1, gettext_lazy("Q1 (October–December)")),
            (2, gettext_lazy("Q2 (January–March)")),
            (3, gettext_lazy("Q3 (April–June)")),
            (4, gettext_lazy("Q4 (July–September)")),
        ],
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=_date_input())
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Municipality.objects.filter(is_partner=True),
        required=False,
        help_text=gettext_lazy("Only for the municipality report."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), initial="en")
    format = forms.ChoiceField(label=gettext_lazy("Format"), initial=ReportFormat.PDF, widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [
            (kind.value, kind.label) for kind in REQUESTABLE_KINDS if can_request_report_kind(user, kind.value)
        ]
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["format"].choices = [(f.value, f.label) for f in FORMAT_ORDER]
        if not self.is_bound:
            # Donor reports are written for the quarter that ended last.
            fiscal_year, quarter = last_completed_quarter()
            self.fields["fiscal_year"].initial = fiscal_year
            self.fields["quarter"].initial = quarter

    def kind_formats(self):
        """{kind: [format labels]} for the kinds on the form: shown beside the choice."""
        labels = dict(ReportFormat.choices)
        return [
            (value, label, [str(labels[f]) for f in allowed_formats(value)])
            for value, label in self.fields["kind"].choices
        ]

    def clean(self):
        data = super().clean()
        self.period = self._period(data)
        kind, export_format = data.get("kind"), data.get("format")
        if kind and export_format:
            formats = allowed_formats(kind)
            if not formats:
                self.add_error("kind", _("This report cannot be rendered yet. Ask IT support."))
            elif export_format not in formats:
                labels = dict(ReportFormat.choices)
                self.add_error(
                    "format",
                    _("This report comes as %(formats)s only.")
                    % {"formats": ", ".join(str(labels[f]) for f in formats)},
                )
        if kind == ReportKind.MUNICIPALITY and not data.get("municipality"):
            self.add_error("municipality", _("Choose the municipality the report is about."))
        return data

    def _period(self, data):
        period_type = data.get("period_type")
        if period_type == PeriodType.DATES:
            start, end = data.get("date_from"), data.get("date_to")
            if not start or not end:
                self.add_error("date_from" if not start else "date_to", _("Give both dates of the period."))
                return None
            if end < start:
                self.add_error("date_to", _("The period cannot end before it starts."))
                return None
            return Period.dates(start, end)
        year = data.get("fiscal_year")
        if year is None:
            if "fiscal_year" not in self.errors:
                self.add_error("fiscal_year", _("Give the fiscal year."))
            return None
        if period_type == PeriodType.QUARTER:
            if not data.get("quarter"):
                self.add_error("quarter", _("Choose the quarter, or ask for the whole fiscal year."))
                return None
            return Period.fiscal_quarter(year, data["quarter"])
        return Period.fiscal_year(year)
