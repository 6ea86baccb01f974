"""Forms of a grant's status (suspend, resume, terminate), its cost-share reconciliation and, for civic grants,
its infrastructure with the users per community.

They validate and shape input only; grants.services.closeout and grants.services.infrastructure decide.
FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}.
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Community
from core.errors import ApplicationError
from grants.models import InfrastructureType
from grants.services.infrastructure import check_coordinates

STATUS_ACTIONS = {
    "suspend": _("Suspend the grant"),
    "resume": _("Resume the grant"),
    "terminate": _("Terminate the grant"),
}
MICRODEGREE = Decimal("0.000001")


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class GrantStatusForm(_Form):
    """The reason for suspending, resuming or terminating; the action is in the URL's query or a button."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the grant's history and sent to the grantee."),
    )


class CostShareReconcileForm(_Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when less was contributed than committed: explain the difference."),
    )


class InfrastructureForm(_Form):
    kind = forms.ChoiceField(label=_("Type"), choices=InfrastructureType.choices)
    settlement = forms.CharField(label=_("Settlement"), max_length=200)
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "42.662900"}),
        help_text=_("Decimal degrees, about 42–43 in Kosovo."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "21.165500"}),
        help_text=_("Decimal degrees, about 20–21 in Kosovo."),
    )
    municipal_cofunding = forms.DecimalField(
        label=_("Municipality's co-funding (EUR)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("latitude", "longitude"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].quantize(MICRODEGREE)
        if "latitude" in cleaned and "longitude" in cleaned:
            try:  # the service's own rule, so that its message shows beside the fields with the other errors
                check_coordinates(cleaned["latitude"], cleaned["longitude"])
            except ApplicationError as error:
                self.add_error("longitude" if error.code == "coordinates_incomplete" else "latitude", error.message)
        return cleaned


class InfrastructureUseForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"), required=False, choices=[("", "—"), *Community.choices])
    expected_users = forms.IntegerField(label=_("Expected users"), required=False, min_value=0)
    actual_users = forms.IntegerField(label=_("Actual users"), required=False, min_value=0)

    def clean(self):
        cleaned = super().clean()
        counts = cleaned.get("expected_users") is not None or cleaned.get("actual_users") is not None
        if counts and not cleaned.get("community"):
            self.add_error("community", _("Choose the community these users belong to, or empty the numbers."))
        return cleaned


class BaseUseFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            community = getattr(form, "cleaned_data", {}).get("community")
            if not community:
                continue
            if community in seen:
                form.add_error(
                    "community",
                    _("This community is already in another row. Keep one row per community and add the numbers up."),
                )
            seen[community] = form

    def rows(self):
        return [
            {
                "community": form.cleaned_data["community"],
                "expected_users": form.cleaned_data.get("expected_users") or 0,
                "actual_users": form.cleaned_data.get("actual_users"),
            }
            for form in self.forms
            if form.cleaned_data.get("community")
        ]


InfrastructureUseFormSet = forms.formset_factory(
    InfrastructureUseForm, formset=BaseUseFormSet, extra=2, max_num=len(Community.choices), validate_max=True
)
