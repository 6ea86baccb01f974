from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Person, User
from accounts.services import ORGANISATION_FIELDS, PROFILE_FIELDS
from core.choices import Community
from municipalities.models import Municipality


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProfileForm(forms.ModelForm):
    """The applicant as a Person. Community is optional (and says so); consent shows its text."""

    consent_given = forms.BooleanField(
        label=_("I agree to the processing of my personal data as described above."),
        required=True,
        error_messages={"required": _("Without your consent we cannot register your application. Tick the box.")},
    )

    class Meta:
        model = Person
        fields = list(PROFILE_FIELDS)
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "community": _(
                "Optional. Used only for statistics that show no names; choose “Prefer not to say” if you wish."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("sort_order", "name_sq")
        self.fields["municipality"].required = True
        self.fields["birth_date"].required = True
        self.fields["community"].required = False
        self.fields["community"].label = _("Community (optional)")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_community(self):
        return self.cleaned_data.get("community") or Community.NOT_STATED

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today or value.year < 1900:
            raise forms.ValidationError(_("Enter your real date of birth (day, month, year)."))
        if today.year - value.year < 15:
            raise forms.ValidationError(_("Applicants must be at least 15 years old."))
        return value


class OrganisationForm(forms.ModelForm):
    communities_represented = forms.MultipleChoiceField(
        label=_("Communities represented"),
        choices=Community.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        help_texts = {
            "registration_number": _("Businesses: the 9-digit business number (NUI). NGOs: the registration number."),
            "fiscal_number": _("9 digits, if you have one."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("sort_order", "name_sq")
        self.fields["municipality"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False
