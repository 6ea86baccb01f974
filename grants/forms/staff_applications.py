"""Forms of the staff intake pages: filters and sorting of the application list, clarification requests, exports."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_view_personal_data
from core.choices import Community, Component
from grants.models import ApplicationStatus, Call, CallStatus, ExportFormat
from grants.services.clarifications import MAX_TEXT, SECTION_LABELS
from municipalities.models import Municipality

# ?sort= values the list accepts (a leading "-" means descending); anything else falls back to DEFAULT_SORT.
SORT_FIELDS = {"reference", "submitted", "requested", "status"}
DEFAULT_SORT = "-submitted"


def clean_sort(value):
    value = (value or "").strip()
    return value if value.lstrip("-") in SORT_FIELDS and value.count("-") <= 1 else DEFAULT_SORT


def _status_rank():
    """Statuses in lifecycle order (submitted … withdrawn), not in the alphabetical order of their codes."""
    whens = [When(status=code, then=Value(rank)) for rank, code in enumerate(ApplicationStatus.values)]
    return Case(*whens, default=Value(len(whens)), output_field=IntegerField())


def order_applications(queryset, sort):
    """`queryset` (from applications_for_staff) in the whitelisted order `sort`, with a stable tie-break."""
    sort = clean_sort(sort)
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "status":
        queryset = queryset.annotate(status_rank=_status_rank())
    expression = F(
        {
            "reference": "reference",
            "submitted": "submitted_at",
            "requested": "requested_total",
            "status": "status_rank",
        }[key]
    )
    expression = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return queryset.order_by(expression, "-id" if descending else "id")


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationFilterForm(forms.Form):
    """The list's filters (GET); the community filter only for staff who may see applicants' community."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    call = forms.ModelChoiceField(
        label=_("Call"), queryset=Call.objects.none(), required=False, empty_label=_("All calls")
    )
    component = forms.ChoiceField(label=_("Component"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    community = forms.ChoiceField(label=_("Applicant's community"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=_date_input())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=_date_input())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Reference, title, applicant or place")
        self.fields["call"].queryset = Call.objects.exclude(status=CallStatus.DRAFT).order_by("-opens_at", "code")
        self.fields["call"].label_from_instance = lambda call: call.code
        self.fields["component"].choices = [("", _("All")), *Component.choices]
        self.fields["municipality"].queryset = Municipality.objects.order_by("-is_partner", "sort_order", "name_sq")
        statuses = [choice for choice in ApplicationStatus.choices if choice[0] != ApplicationStatus.DRAFT]
        self.fields["status"].choices = [("", _("All")), *statuses]
        if can_view_personal_data(user):
            self.fields["community"].choices = [("", _("All")), *Community.choices]
        else:
            del self.fields["community"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        columns = [Column(name, css_class="col-12 col-sm-6 col-lg-3") for name in self.fields]
        self.helper.layout = Layout(Row(*columns))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("This date comes before the “from” date; swap the two dates."))
        return cleaned

    def selector_filters(self):
        """The valid filters, as applications_for_staff(filters=…) takes them (JSON-ready: ids, codes, ISO dates).

        Call this after is_valid(); a field with an error is left out, so the list still shows.
        """
        data = getattr(self, "cleaned_data", {})
        filters = {}
        for name in ("q", "component", "status", "community"):
            if data.get(name):
                filters[name] = data[name].strip() if name == "q" else data[name]
        for name in ("call", "municipality"):
            if data.get(name) is not None:
                filters[name] = data[name].pk
        for name in ("submitted_from", "submitted_to"):
            if data.get(name):
                filters[name] = data[name].isoformat()
        return {key: value for key, value in filters.items() if value not in ("", None)}


class ClarificationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What should the applicant clarify or correct?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The applicant receives this text by e-mail, with a link to the application."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections the applicant may change"),
        choices=list(SECTION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one section of the application for the applicant to correct.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
