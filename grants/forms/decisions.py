"""Forms of the selection pages: ranking filters, the committee meeting, one decision and decisions in bulk.

They shape input only; the rules (status, amounts, envelope) are the service's.
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.roles import STAFF_ROLES
from core.choices import Community
from grants.models import CommitteeMeeting, DecisionOutcome
from municipalities.models import Municipality, ProgrammeGroup

MAX_TEXT = 5000


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if fields:
        helper.layout = Layout(*fields)
    return helper


class RankingFilterForm(forms.Form):
    """GET filters of the ranking: where the project takes place and which communities it brings together."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False, empty_label=_("All")
    )
    programme_group = forms.ChoiceField(label=_("Programme group"), required=False)
    communities = forms.MultipleChoiceField(
        label=_("Community mix (the project involves all of)"),
        choices=Community.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("-is_partner", "sort_order", "name_sq")
        self.fields["programme_group"].choices = [("", _("All")), *ProgrammeGroup.choices]
        self.helper = _helper(
            Row(Column("municipality", css_class="col-md-6"), Column("programme_group", css_class="col-md-6")),
            "communities",
        )
        self.helper.form_method = "get"

    def selector_filters(self):
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def staff_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=list(STAFF_ROLES))
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the meeting"), widget=_date_input())
    members = forms.ModelMultipleChoiceField(
        label=_("Members from the staff"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_members = forms.CharField(
        label=_("Other members (names and roles)"),
        help_text=_("For example members from the municipality or from USAID, one per line."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.CharField(
        label=_("Minutes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    minutes_file = forms.FileField(
        label=_("Signed minutes (PDF or DOCX, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = staff_users()
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("members") and not (cleaned.get("other_members") or "").strip():
            raise forms.ValidationError(_("Name the committee members: tick them in the list or write their names."))
        return cleaned


def _meeting_field(call):
    field = forms.ModelChoiceField(
        label=_("Committee meeting"),
        queryset=CommitteeMeeting.objects.filter(call=call).order_by("-held_on", "-id"),
        required=False,
        empty_label=_("No meeting"),
    )
    field.label_from_instance = lambda meeting: f"{meeting.held_on:%d.%m.%Y}"
    return field


def _text(label, help_text=""):
    return forms.CharField(
        label=label, help_text=help_text, max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionFieldsMixin:
    """The fields one decision and a bulk decision share."""

    def add_decision_fields(self, call):
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
        )
        self.fields["meeting"] = _meeting_field(call)
        self.fields["conditions"] = _text(
            _("Conditions of the approval"), _("Only for approvals; sent to the applicant.")
        )
        self.fields["reasons"] = _text(_("Reasons"), _("Required for rejections; sent to the applicant."))
        self.fields["envelope_override_reason"] = _text(
            _("Why the call's budget envelope may be exceeded"),
            _("Only if the approvals go beyond the envelope; recorded with the decision."),
        )

    def decision_values(self):
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "conditions": data.get("conditions") or "",
            "reasons": data.get("reasons") or "",
            "envelope_override_reason": data.get("envelope_override_reason") or "",
        }


class DecisionForm(DecisionFieldsMixin, forms.Form):
    def __init__(self, *args, call, requested, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_decision_fields(call)
        self.fields["approved_amount"] = forms.DecimalField(
            label=_("Approved amount (EUR)"),
            help_text=_("At most the amount requested; for approvals only."),
            min_value=Decimal("0.01"),
            max_digits=12,
            decimal_places=2,
            required=False,
            initial=requested,
        )
        self.helper = _helper(
            "outcome", "meeting", "approved_amount", "conditions", "reasons", "envelope_override_reason"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == DecisionOutcome.APPROVED and cleaned.get("approved_amount") is None:
            self.add_error("approved_amount", _("Enter the approved amount."))
        return cleaned


class BulkDecisionForm(DecisionFieldsMixin, forms.Form):
    """Decisions on the rows ticked in the ranking: one outcome, an amount per row (the request by default)."""

    def __init__(self, *args, call, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.decidable]
        self.fields["selected"] = forms.MultipleChoiceField(
            label=_("Applications"),
            choices=[(str(row.application.pk), row.application.reference) for row in self.rows],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Tick at least one application in the ranking.")},
        )
        for row in self.rows:
            self.fields[self.amount_name(row)] = forms.DecimalField(
                label=_("Approved amount for %(reference)s (EUR)") % {"reference": row.application.reference},
                min_value=Decimal("0.01"),
                max_digits=12,
                decimal_places=2,
                required=False,
                initial=row.requested,
            )
        self.add_decision_fields(call)
        self.helper = _helper("outcome", "meeting", "conditions", "reasons", "envelope_override_reason")

    @staticmethod
    def amount_name(row):
        return f"amount-{row.application.pk}"

    def row_fields(self):
        """(row, its checkbox is ticked, its amount field) for the table of the ranking."""
        selected = set(self.data.getlist("selected")) if self.is_bound else set()
        return [(row, str(row.application.pk) in selected, self[self.amount_name(row)]) for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == DecisionOutcome.APPROVED:
            for row in self.rows:
                name = self.amount_name(row)
                if str(row.application.pk) in cleaned.get("selected", []) and cleaned.get(name) is None:
                    self.add_error(name, _("Enter the approved amount."))
        return cleaned

    def decisions(self):
        """The service's input, in ranking order."""
        selected = set(self.cleaned_data["selected"])
        values = self.decision_values()
        items = []
        for row in self.rows:
            if str(row.application.pk) not in selected:
                continue
            amount = self.cleaned_data.get(self.amount_name(row)) if values["outcome"] == "approved" else None
            items.append({"application": row.application, "approved_amount": amount, **values})
        return items
