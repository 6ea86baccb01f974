"""Forms of a municipality's partnership. They validate and shape input only; municipal.services.partnership saves.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}. One column, so they work on a phone.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.models import (
    FocalPerson,
    Memorandum,
    MouStatus,
    MunicipalityProfile,
    OfficialLanguage,
    PopulationFigure,
)


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_input():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


class MemorandumForm(forms.ModelForm):
    """A new memorandum (a draft) or a correction. The date of signature shows only once it is signed: a draft is
    signed with its PDF on the sign page."""

    class Meta:
        model = Memorandum
        fields = [
            "reference",
            "starts_on",
            "ends_on",
            "signed_on",
            "signatories",
            "programme_commitments",
            "municipality_commitments",
            "programme_ceiling",
            "ceiling_purpose",
            "cofunding_pledge",
        ]
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "signed_on": _date_input(),
            "signatories": forms.Textarea(attrs={"rows": 3}),
            "programme_commitments": forms.Textarea(attrs={"rows": 4}),
            "municipality_commitments": forms.Textarea(attrs={"rows": 4}),
            "programme_ceiling": _money_input(),
            "cofunding_pledge": _money_input(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status != MouStatus.SIGNED:
            del self.fields["signed_on"]
        else:
            self.fields["signed_on"].required = True
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The term must end after it starts."))
        signed_on = cleaned.get("signed_on")
        if signed_on and signed_on > timezone.localdate():
            self.add_error("signed_on", _("The date of signature cannot be in the future."))
        return cleaned


class MemorandumSignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=_date_input())
    signed_file = forms.FileField(
        label=_("Signed memorandum (PDF)"),
        help_text=_("The scan of the memorandum with every signature, as one PDF file."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("The date of signature cannot be in the future."))
        return signed_on


class MemorandumEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the memorandum end?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ended_on = forms.DateField(
        label=_("Last day, if it ends before its term"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave empty when the memorandum ends at the end of its term."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class FocalPersonForm(forms.ModelForm):
    class Meta:
        model = FocalPerson
        fields = ["name", "position", "department", "email", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class FocalPersonRetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: moved to another department. The person stays in the record."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    official_languages = forms.MultipleChoiceField(
        label=_("Languages in official use"),
        choices=OfficialLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MunicipalityProfile
        fields = ["mayor", "address", "phone", "email", "website", "official_languages"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PopulationFigureForm(forms.ModelForm):
    class Meta:
        model = PopulationFigure
        fields = ["year", "source", "community", "count"]
        labels = {"community": _("Community (empty for the whole population)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PopulationFigureRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the figure removed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: typed the wrong year. Record the right figure afterwards."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
