"""The monitoring visit form (made for a phone: one column, big choices, the camera for photos) and its follow-up
rows. They validate and shape input only; grants.services.visits checks again and saves. FormHelper(form_tag=False):
the template owns <form> and {% csrf_token %}.
"""

import copy

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.uploads import IMAGE_TYPES, checked_upload
from grants.models import Check, GrantMilestone, MonitoringVisit, Quality
from grants.services.visits import MAX_PHOTOS, visitors

FOLLOW_UP_ROWS = 3


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the page's one <form> carries the token
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "form-control-lg"}, format="%Y-%m-%d")


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that lets a phone pick several photos at once, or open the camera."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        attrs = {"accept": "image/jpeg,image/png", "capture": "environment", **(attrs or {})}
        super().__init__(attrs)


class MultiplePhotoField(forms.FileField):
    """A list of photos, each checked by its content (JPEG or PNG, at most 10 MB)."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [file for file in files if file]
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned, errors = [], []
        for file in files:
            file = super().clean(file, initial)
            try:
                checked_upload(file, IMAGE_TYPES)
            except ApplicationError as error:
                errors.append(forms.ValidationError(error.message, code=error.code))
            else:
                cleaned.append(file)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class VisitRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as big toggle buttons (see visit_choice_group.html)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "btn-check", **(attrs or {})}, choices)


class VisitForm(forms.ModelForm):
    """Record or correct a visit. `grant` limits the milestones; `visit` (when correcting) keeps what it verified."""

    photos = MultiplePhotoField(label=_("Photos"), required=False)
    loaded_version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = MonitoringVisit
        fields = [
            "visit_date",
            "visited_by",
            "people_present",
            "milestones_checked",
            "verified_milestones",
            "progress_percent",
            "quality",
            "donor_sign",
            "shared_use",
            "safety",
            "findings",
            "is_final",
        ]
        widgets = {
            "visit_date": _date_input(),
            "people_present": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 6}),
            "milestones_checked": forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
            "verified_milestones": forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
            "progress_percent": forms.NumberInput(
                attrs={"inputmode": "numeric", "min": 0, "max": 100, "class": "form-control-lg"}
            ),
            "quality": VisitRadioSelect,
            "donor_sign": VisitRadioSelect,
            "shared_use": VisitRadioSelect,
            "safety": VisitRadioSelect,
        }
        help_texts = {
            "people_present": _("Names and roles, for example “Arta Krasniqi, chair of the association”."),
            "findings": _("What you saw: what was done, problems, anything the grantee must correct."),
        }
        error_messages = {
            "visit_date": {
                "required": _("Enter the date of the visit."),
                "invalid": _("Enter a date (day.month.year)."),
            },
            "visited_by": {"required": _("Choose who made the visit.")},
            "people_present": {"required": _("Write who was present (at least the person who received you).")},
            "progress_percent": {
                "required": _("Enter the work progress in % (0 if nothing has started)."),
                "invalid": _("Enter the work progress as a whole number from 0 to 100."),
                "max_value": _("The work progress cannot be above 100 %."),
                "min_value": _("The work progress cannot be below 0 %."),
            },
            "quality": {"required": _("Choose how good the work is.")},
            "donor_sign": {"required": _("Say whether the donor sign is there (or that it does not apply).")},
            "shared_use": {"required": _("Say whether more than one community uses the facility (or n/a).")},
            "safety": {"required": _("Say whether the site is safe (or that it does not apply).")},
            "findings": {"required": _("Write what you found, even briefly.")},
        }

    def __init__(self, *args, grant, visit=None, user=None, **kwargs):
        # A copy: validation writes the typed values onto the instance, and the page still shows the saved visit.
        super().__init__(*args, instance=copy.copy(visit) if visit else None, **kwargs)
        self.grant, self.visit = grant, visit
        self.helper = _helper()
        self.fields["photos"].help_text = gettext(
            "JPEG or PNG, up to 10 MB each, at most %(max)s per visit. Take them now or choose several at once."
        ) % {"max": MAX_PHOTOS}
        milestones = list(grant.milestones.all())
        self.milestones = milestones
        self.verified_here = set(visit.verified_milestones.values_list("pk", flat=True)) if visit else set()
        self.fields["visited_by"].queryset = visitors()
        self.fields["visited_by"].label = _("Visited by")
        self.fields["visited_by"].empty_label = _("— choose who made the visit —")
        self.fields["visited_by"].label_from_instance = lambda user: f"{user.get_full_name() or user.email}"
        if visit is None and user is not None and not self.is_bound:
            self.initial["visited_by"] = user.pk
            self.initial["visit_date"] = timezone.localdate()
        pks = [m.pk for m in milestones]
        open_pks = [m.pk for m in milestones if not m.is_verified]
        self.fields["milestones_checked"].queryset = GrantMilestone.objects.filter(pk__in=pks)
        self.fields["verified_milestones"].queryset = GrantMilestone.objects.filter(pk__in=open_pks)
        self.fields["verified_milestones"].label = _("This visit verifies the milestone")
        self.fields["quality"].choices = Quality.choices
        for name in ("donor_sign", "shared_use", "safety"):
            self.fields[name].choices = Check.choices
        if visit is not None and not self.is_bound:
            self.initial["loaded_version"] = visit.updated_at.isoformat()

    def clean_visit_date(self):
        value = self.cleaned_data["visit_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("The date %(date)s is in the future. Record a visit after it took place.")
                % {"date": formats.date_format(value, "d.m.Y")}
            )
        if value < self.grant.start_date:
            raise forms.ValidationError(
                _("The date is before the grant started (%(start)s). Check the date.")
                % {"start": formats.date_format(self.grant.start_date, "d.m.Y")}
            )
        return value

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        existing = self.visit.photos.count() if self.visit else 0
        if existing + len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("A visit keeps at most %(max)s photos; you chose %(chosen)s and it has %(existing)s. Choose fewer.")
                % {"max": MAX_PHOTOS, "chosen": len(photos), "existing": existing}
            )
        return photos

    def clean(self):
        cleaned = super().clean()
        checked = set(cleaned.get("milestones_checked") or ())
        verified = set(cleaned.get("verified_milestones") or ())
        missing = [m for m in verified - checked if m.pk not in self.verified_here]
        if missing:
            self.add_error(
                "verified_milestones",
                _("To verify “%(milestone)s”, tick it as checked during the visit as well.")
                % {"milestone": missing[0].description},
            )
        return cleaned

    def expected_version(self):
        """The visit's version the editor loaded (None if unknown), so a concurrent change is not overwritten."""
        return parse_datetime(self.cleaned_data.get("loaded_version") or "")

    def milestone_rows(self):
        """One row per milestone: its "checked" and "verifies" checkboxes (None when it is verified already)."""
        checked = {str(w.data["value"]): w for w in self["milestones_checked"]}
        verifies = {str(w.data["value"]): w for w in self["verified_milestones"]}
        return [
            {
                "milestone": m,
                "checked": checked.get(str(m.pk)),
                "verifies": verifies.get(str(m.pk)),
                "verified_here": m.pk in self.verified_here,
            }
            for m in self.milestones
        ]

    def has_chosen_photos(self):
        return bool(self.files.getlist(self.add_prefix("photos"))) if self.is_bound else False


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("Action"), max_length=500, required=True)
    responsible = forms.CharField(label=_("Who does it"), max_length=200)
    due_date = forms.DateField(
        label=_("Due"),
        widget=_date_input(),
        error_messages={"invalid": _("Enter a date (day.month.year).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["action"].error_messages["required"] = _("Write what is to be done (or clear the row).")
        self.fields["responsible"].error_messages["required"] = _("Write who does it.")
        self.fields["due_date"].error_messages["required"] = _("Enter the date by which it is to be done.")


FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=FOLLOW_UP_ROWS, max_num=FOLLOW_UP_ROWS, validate_max=True)
