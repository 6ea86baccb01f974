"""Forms for moving a tranche (request, approve, send back, pay, cancel) and recording an in-kind delivery.

They validate and shape input only; grants.services.tranches decides. FormHelper(form_tag=False): the template owns
<form> and {% csrf_token %}.
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class TrancheRequestForm(_Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example what was done for the milestone, or where the evidence is."),
    )


class TrancheApproveForm(_Form):
    override_reason = forms.CharField(
        label=_("Reason for approving without a verified milestone"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the milestone is not verified yet; the reason is kept in the audit trail."),
    )


class TrancheReasonForm(_Form):
    """Send a request back, or cancel a tranche: both need a reason."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the reason; the grantee and the auditors read it.")},
    )


class PaymentForm(_Form):
    paid_on = forms.DateField(
        label=_("Payment date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the transfer."),
            "invalid": _("Enter a date (day.month.year)."),
        },
    )
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"required": _("Enter the amount transferred.")},
    )
    bank_reference = forms.CharField(
        label=_("Bank reference"),
        max_length=60,
        error_messages={"required": _("Enter the bank reference of the transfer.")},
    )

    def __init__(self, *args, remaining=None, **kwargs):
        super().__init__(*args, **kwargs)
        if remaining is not None and not self.is_bound:
            self.initial.setdefault("amount", remaining)
        self.initial.setdefault("paid_on", timezone.localdate())


class DeliveryForm(_Form):
    item = forms.CharField(label=_("Item (goods or service)"), max_length=300)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    value = forms.DecimalField(label=_("Value (EUR)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    delivered_on = forms.DateField(
        label=_("Delivery date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    handover_file = forms.FileField(
        label=_("Handover record signed by the grantee"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
