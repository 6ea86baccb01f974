"""Forms of the staff registry of people: search, the choice made on the side-by-side comparison, and the data of
a person staff register or correct."""

import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from accounts.validators import validate_jmbg, validate_kosovo_personal_number, validate_phone
from core.choices import Community, Sex
from municipalities.models import Municipality


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A name in any script, with or without diacritics, or the start of an ID number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PersonMergeForm(forms.Form):
    """Which of the two records stays (its values win where both have one); the other is merged into it."""

    keep = forms.TypedChoiceField(
        label=_("Keep the record"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which record to keep.")},
    )

    def __init__(self, *args, first, second, **kwargs):
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        self.fields["keep"].choices = [
            (person.pk, _("No. %(id)s: %(name)s") % {"id": person.pk, "name": person}) for person in (first, second)
        ]
        self.fields["keep"].initial = first.pk
        self.helper = _helper()

    def keep_and_merge(self):
        keep = self.cleaned_data["keep"]
        return (self.first, self.second) if keep == self.first.pk else (self.second, self.first)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label(name):
    return capfirst(Person._meta.get_field(name).verbose_name)


# Fields only the roles that may see personal data get (accounts.permissions.can_view_personal_data).
PERSONAL_FIELDS = ("birth_date", "community", "personal_number", "jmbg")


class PersonForm(forms.Form):
    """What staff record about a person, to register them or correct their data. Validation only: the services
    `person_register` and `person_update` save. With `personal=False` the community, date of birth and ID numbers
    are left out (for a role that may not see them; their stored values are then kept)."""

    first_name = forms.CharField(
        label=_label("first_name"),
        max_length=100,
        error_messages={"required": _("Enter the first name, as on the ID card.")},
    )
    last_name = forms.CharField(
        label=_label("last_name"),
        max_length=100,
        error_messages={"required": _("Enter the last name, as on the ID card.")},
    )
    sex = forms.ChoiceField(
        label=_label("sex"),
        choices=[("", "---------"), *Sex.choices],
        error_messages={"required": _("Choose the sex; “Prefer not to say” if the person did not say.")},
    )
    birth_date = forms.DateField(label=_label("birth_date"), required=False, widget=_date_input())
    birth_year = forms.IntegerField(
        label=_label("birth_year"),
        required=False,
        help_text=_("Only when the date of birth is not known."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    community = forms.ChoiceField(
        label=_label("community"),
        choices=[("", "---------"), *Community.choices],
        error_messages={"required": _("Choose the community; “Prefer not to say” if the person did not say.")},
    )
    municipality = forms.ModelChoiceField(
        label=_label("municipality"), queryset=Municipality.objects.none(), required=False
    )
    personal_number = forms.CharField(
        label=_label("personal_number"),
        max_length=10,
        required=False,
        validators=[validate_kosovo_personal_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    jmbg = forms.CharField(
        label=_label("jmbg"),
        max_length=13,
        required=False,
        validators=[validate_jmbg],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_label("phone"),
        max_length=30,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_label("email"), required=False)
    consent_given = forms.BooleanField(
        label=_("The person gave consent to the use of their personal data"), required=False
    )
    consent_date = forms.DateField(
        label=_("Consent given on"),
        required=False,
        widget=_date_input(),
        help_text=_("The date on the signed consent form; leave it empty for today."),
    )
    none_of_these = forms.BooleanField(
        label=_("None of the people proposed above is this person: register a new person"), required=False
    )
    candidate_ids = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, person=None, personal=True, **kwargs):
        self.person, self.personal = person, personal
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(person)
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.order_by("sort_order", "name_sq")
        self.fields["none_of_these"].widget = forms.HiddenInput()
        if person is not None:
            del self.fields["none_of_these"], self.fields["candidate_ids"]
        if not personal:
            for name in PERSONAL_FIELDS:
                del self.fields[name]
        self.helper = _helper()

    @staticmethod
    def initial_for(person):
        initial = {name: getattr(person, name) for name in ("first_name", "last_name", "sex", "birth_year")}
        initial.update({name: getattr(person, name) for name in PERSONAL_FIELDS})
        initial.update(
            municipality=person.municipality_id,
            phone=person.phone,
            email=person.email,
            consent_given=person.consent_given,
            consent_date=timezone.localdate(person.consent_date) if person.consent_date else None,
        )
        return initial

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and (value > timezone.localdate() or value.year < 1900):
            raise forms.ValidationError(
                _("Enter the real date of birth (day, month, year); it cannot be in the future.")
            )
        return value

    def clean_birth_year(self):
        value = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if value is not None and not 1900 <= value <= this_year:
            raise forms.ValidationError(_("Enter a year of birth between 1900 and %(year)s.") % {"year": this_year})
        return value

    def clean_consent_date(self):
        value = self.cleaned_data.get("consent_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The consent date cannot be in the future; enter the date on the form."))
        return value

    def clean_candidate_ids(self):
        raw = self.cleaned_data.get("candidate_ids") or ""
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            return []

    def clean(self):
        cleaned = super().clean()
        self._check_birth(cleaned)
        self._check_recognisable(cleaned)
        self._shape_consent(cleaned)
        return cleaned

    def _check_birth(self, cleaned):
        birth_date, birth_year = cleaned.get("birth_date"), cleaned.get("birth_year")
        if birth_date and birth_year and birth_date.year != birth_year:
            self.add_error(
                "birth_year",
                _("The year of birth does not match the date of birth; correct one of them, or leave the year empty."),
            )

    def _check_recognisable(self, cleaned):
        """Enough to find this person again (by the duplicate rules): a date of birth, or a year of birth with the
        municipality, or an ID number. Without it, the same person registered twice would not be noticed."""
        if self.errors:
            return
        if (
            cleaned.get("birth_date")
            or (cleaned.get("birth_year") and cleaned.get("municipality"))
            or cleaned.get("personal_number")
            or cleaned.get("jmbg")
        ):
            return
        stored = self.person
        if stored is not None and not self.personal and (stored.birth_date or stored.personal_number or stored.jmbg):
            return  # hidden from this role, and kept as stored
        field = "birth_date" if "birth_date" in self.fields else "birth_year"
        self.add_error(
            field,
            _(
                "Enter the date of birth, or the year of birth together with the municipality, or an ID number: "
                "without one of them the registry cannot recognise this person if they are registered again."
            ),
        )

    def _shape_consent(self, cleaned):
        """The consent date becomes a moment: the stored one when the day did not change, else noon of that day."""
        given, day = cleaned.get("consent_given"), cleaned.get("consent_date")
        if "consent_date" in self.errors:
            return
        if day and not given:
            self.add_error(
                "consent_given", _("A consent date is filled in but the box is not ticked: tick it, or clear the date.")
            )
            return
        if not given:
            cleaned["consent_date"] = None
            return
        day = day or timezone.localdate()
        stored = self.person.consent_date if self.person is not None else None
        if stored and timezone.localdate(stored) == day:
            cleaned["consent_date"] = stored
        else:
            noon = datetime.datetime.combine(day, datetime.time(12))
            cleaned["consent_date"] = timezone.make_aware(noon)

    def person_data(self):
        """The cleaned values the services take (the form's own controls left out)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("none_of_these", "candidate_ids")}

    def offer_none_of_these(self, candidates):
        """After likely duplicates were found: show the explicit "none of these" choice, tied to those people."""
        self.fields["none_of_these"].widget = forms.CheckboxInput()
        ids = ",".join(str(candidate.person.pk) for candidate in candidates)
        data = self.data.copy()
        data["candidate_ids"] = ids
        data.pop("none_of_these", None)
        self.data = data
