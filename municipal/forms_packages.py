"""Forms of the package and activity pages. They validate and shape input only; municipal.services.packages saves it.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.person_picker import PersonPickForm
from core.choices import Community, Sex
from municipal.models import TAActivity, TAPackage
from municipal.permissions import TA_ROLES
from municipal.services.packages import ACTIVITY_FIELDS, PACKAGE_FIELDS

SEARCH_LIMIT = 20


def _helper(*, csrf=True):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = not csrf
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PackageForm(forms.ModelForm):
    staff = forms.ModelMultipleChoiceField(
        label=_("Programme staff assigned"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TAPackage
        fields = list(PACKAGE_FIELDS)
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "planned_activities": forms.Textarea(attrs={"rows": 3}),
            "consultants": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[str(role) for role in TA_ROLES])
            .distinct()
            .order_by("last_name", "first_name", "email")
        )
        self.fields["staff"].label_from_instance = lambda user: user.get_full_name() or user.email
        if self.instance.pk:
            self.initial.setdefault("staff", list(self.instance.staff.values_list("pk", flat=True)))
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end <= start:
            self.add_error("ends_on", _("The period must end after it starts; correct the start or the end date."))
        return cleaned


class ActivityForm(forms.ModelForm):
    class Meta:
        model = TAActivity
        fields = list(ACTIVITY_FIELDS)
        widgets = {
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "cost": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, package, **kwargs):
        super().__init__(*args, **kwargs)
        self.package = package
        self.fields["starts_on"].help_text = _("Within the package period, %(start)s – %(end)s.") % {
            "start": package.starts_on.strftime("%d.%m.%Y"),
            "end": package.ends_on.strftime("%d.%m.%Y"),
        }
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The activity cannot end before it starts; correct the start or the end date."))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the activity in full, with the package period


class AcceptForm(forms.Form):
    accepted_on = forms.DateField(label=_("Accepted on"), widget=_date_input())
    accepted_by = forms.CharField(
        label=_("Accepted by"), max_length=200, help_text=_("Name and position of the municipal official.")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"accepted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("It stays in the activity's history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


_DOCUMENT_ACCEPT = ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.jpeg,.png"


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word, Excel, OpenDocument, JPEG or PNG, up to 10 MB. It becomes version 1."),
        widget=forms.ClearableFileInput(attrs={"accept": _DOCUMENT_ACCEPT}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class DeliverableVersionForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word, Excel, OpenDocument, JPEG or PNG, up to 10 MB. Earlier versions are kept."),
        widget=forms.ClearableFileInput(attrs={"accept": _DOCUMENT_ACCEPT}),
    )
    note = forms.CharField(label=_("What changed"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ParticipantForm(PersonPickForm):
    """A municipal official trained by the activity, picked from a search of the registry."""


class HearingAttendanceForm(forms.Form):
    """One number per community and sex (a grid); empty means none. Negative numbers and text are refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for community, community_label in Community.choices:
            for sex, sex_label in Sex.choices:
                self.fields[self.field_name(community, sex)] = forms.IntegerField(
                    label=f"{community_label} · {sex_label}",
                    required=False,
                    min_value=0,
                    max_value=1_000_000,
                    widget=forms.NumberInput(attrs={"min": "0", "step": "1", "class": "form-control form-control-sm"}),
                    error_messages={
                        "invalid": _("Enter a whole number of people, 0 or more."),
                        "min_value": _("Enter a whole number of people, 0 or more."),
                    },
                )

    sex_labels = [label for _code, label in Sex.choices]

    @staticmethod
    def field_name(community, sex):
        return f"count_{community}_{sex}"

    @classmethod
    def initial_from(cls, attendance):
        return {cls.field_name(row.community, row.sex): row.count for row in attendance}

    def grid(self):
        """Rows for the template: (community label, [bound field per sex])."""
        return [
            (label, [self[self.field_name(community, sex)] for sex in Sex.values])
            for community, label in Community.choices
        ]

    def rows(self):
        return [
            {"community": community, "sex": sex, "count": self.cleaned_data.get(self.field_name(community, sex)) or 0}
            for community in Community.values
            for sex in Sex.values
        ]
