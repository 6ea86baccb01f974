"""Forms of the training pages. They validate and shape input only; trainings.services saves it.

FormHelper(form_tag=False): the template owns <form> and {% csrf_token %}. One column, so they work on a phone.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from core.choices import Community, Sex
from municipalities.models import Municipality
from trainings.models import Course, EventStatus, Session, Topic, TrainingEvent
from trainings.services import COURSE_FIELDS, EVENT_FIELDS, SESSION_FIELDS


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventFilterForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False, empty_label=_("All")
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=[("", _("All")), *Topic.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *EventStatus.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.filter(is_partner=True).order_by("name_sq")
        self.helper = _helper()


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = list(COURSE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("description_sq", "description_sr", "description_sr_cyrl", "description_en")
        }
        error_messages = {"title_sq": {"required": _("Write the title in Albanian: every course needs one.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.layout = Layout(
            Fieldset(_("The course"), "topic", "sector"),
            Fieldset(_("Albanian"), "title_sq", "description_sq"),
            Fieldset(_("Serbian (Latin)"), "title_sr", "description_sr"),
            Fieldset(_("Serbian (Cyrillic)"), "title_sr_cyrl", "description_sr_cyrl"),
            Fieldset(_("English"), "title_en", "description_en"),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("topic") == Topic.SECTOR_SPECIFIC and not cleaned.get("sector"):
            self.add_error("sector", _("A sector-specific course needs its sector; choose one."))
        return cleaned


class EventForm(forms.ModelForm):
    class Meta:
        model = TrainingEvent
        fields = [*EVENT_FIELDS, "trainer_users"]
        widgets = {
            "start_date": _date_input(),
            "end_date": _date_input(),
            "trainer_users": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.roles import Role

        self.fields["municipality"].queryset = Municipality.objects.filter(is_partner=True).order_by("name_sq")
        self.fields["trainer_users"].queryset = (
            self.fields["trainer_users"]
            .queryset.filter(groups__name__in=[Role.PROGRAMME_OFFICER, Role.ME_OFFICER])
            .distinct()
        )
        self.fields["trainer_users"].required = False
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day; correct one of them."))
        return cleaned


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = list(SESSION_FIELDS)
        widgets = {"date": _date_input(), "start_time": _time_input(), "end_time": _time_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ScoresForm(forms.Form):
    pre_test_score = forms.IntegerField(label=_("Pre-test score (0–100)"), min_value=0, max_value=100, required=False)
    post_test_score = forms.IntegerField(label=_("Post-test score (0–100)"), min_value=0, max_value=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("At least two letters, in any script, with or without diacritics."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class NewParticipantForm(forms.ModelForm):
    """A participant registered on the spot; duplicates are checked before anything is saved."""

    none_of_these = forms.BooleanField(
        label=_("None of the people proposed is this participant: register a new person"), required=False
    )

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "sex", "birth_date", "birth_year", "community", "municipality", "phone"]
        widgets = {"birth_date": _date_input(), "phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sex"].choices = Sex.choices
        self.fields["community"].choices = Community.choices
        self.fields["municipality"].queryset = Municipality.objects.order_by("name_sq")
        self.fields["none_of_these"].widget = forms.HiddenInput()
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("birth_date") and not cleaned.get("birth_year"):
            self.add_error("birth_date", _("Enter the date of birth, or at least the year of birth."))
        return cleaned

    def offer_none_of_these(self):
        """After likely duplicates were found: show the explicit "none of these" choice."""
        self.fields["none_of_these"].widget = forms.CheckboxInput()
