"""Staff forms of a grant before signature: terms, budget lines, milestones, tranches, and the signed copy.

They validate and shape input only; grants.services.grants saves it. Each has a FormHelper with form_tag=False:
the template owns <form> and {% csrf_token %}.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from grants.models import Grant, GrantBudgetLine, GrantMilestone, GrantTranche


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _CrispyMixin:
    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class GrantTermsForm(_CrispyMixin, forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "instrument",
            "start_date",
            "end_date",
            "cost_share_committed",
            "report_frequency",
            "special_conditions",
        ]
        widgets = {
            "start_date": _date_input(),
            "end_date": _date_input(),
            "special_conditions": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["special_conditions"].help_text = _("Printed in the agreement as written here.")
        self._helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date comes before the start date; correct one of them."))
        return cleaned


class GrantBudgetLineForm(_CrispyMixin, forms.ModelForm):
    class Meta:
        model = GrantBudgetLine
        fields = [
            "category",
            "description",
            "unit",
            "quantity",
            "unit_cost",
            "grant_amount",
            "cost_share_amount",
            "cost_share_kind",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean(self):
        cleaned = super().clean()
        quantity, unit_cost = cleaned.get("quantity"), cleaned.get("unit_cost")
        grant_amount, cost_share = cleaned.get("grant_amount"), cleaned.get("cost_share_amount")
        if None not in (quantity, unit_cost, grant_amount, cost_share) and quantity * unit_cost != grant_amount + (
            cost_share
        ):
            self.add_error(
                "grant_amount",
                _("Quantity × unit cost must equal the grant's part plus the cost share; correct the amounts."),
            )
        return cleaned


class GrantMilestoneForm(_CrispyMixin, forms.ModelForm):
    class Meta:
        model = GrantMilestone
        fields = ["description", "due_date", "evidence"]
        widgets = {"due_date": _date_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class GrantTrancheForm(_CrispyMixin, forms.ModelForm):
    class Meta:
        model = GrantTranche
        fields = ["number", "amount", "planned_date", "on_signature", "milestone"]
        widgets = {"planned_date": _date_input()}

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = GrantMilestone.objects.filter(grant=grant)
        self.fields["milestone"].empty_label = _("— none: paid on signature —")
        self.fields["milestone"].help_text = _("Paid after this milestone is met; leave empty for an advance.")
        self._helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("on_signature") == bool(cleaned.get("milestone")):
            self.add_error(
                "milestone",
                _("Choose a milestone, or tick “paid on signature” for an advance (one of the two, not both)."),
            )
        return cleaned


class SignedCopyForm(_CrispyMixin, forms.Form):
    signed_file = forms.FileField(
        label=_("Signed agreement (PDF)"),
        help_text=_("The scan of the agreement signed by both parties. Uploading it makes the grant active."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
