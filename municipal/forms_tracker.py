"""Forms of the services tracker. They validate and shape input only; municipal.services.tracker saves it.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from municipal.models import MeasureKind, MunicipalService, TAActivity


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, activity):
        return f"{activity.title} · {activity.package.title} · {activity.get_status_display()}"


class ServiceForm(forms.ModelForm):
    """A service of one municipality; only the activities of that municipality's packages can be chosen."""

    activities = ActivityChoiceField(
        label=_("Activities that worked on it"),
        queryset=TAActivity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Technical-assistance activities of this municipality's packages."),
    )

    class Meta:
        model = MunicipalService
        fields = ["category", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = (
            TAActivity.objects.filter(package__municipality=municipality)
            .select_related("package")
            .order_by("package__starts_on", "starts_on", "id")
        )
        if self.instance.pk:
            self.initial.setdefault("activities", [activity.pk for activity in self.instance.activities.all()])
        self.helper = _helper()

    def validate_unique(self):
        """The service checks the name with its own message (the form does not know the municipality's rows)."""


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    measured_on = forms.DateField(
        label=_("Measured on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date the value was measured.")},
    )
    value = forms.DecimalField(
        label=_("Value"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "Days, counts or EUR as the measure says; satisfaction in % (0–100); both languages 1 = yes, 0 = no."
        ),
        error_messages={"required": _("Enter the value that was measured.")},
    )
    is_baseline = forms.BooleanField(
        label=_("This is the baseline (the value before the assistance)"),
        required=False,
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        help_text=_("Where the value comes from, e.g. the municipal register or a citizen survey."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("PDF, JPEG or PNG, up to 10 MB. A follow-up counts as an improvement only with its evidence."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MeasureRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this value removed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the value is removed (for example: typed in the wrong service).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
