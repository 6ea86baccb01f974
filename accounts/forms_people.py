"""Forms of the staff registry of people: search, and the choice made on the side-by-side comparison."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _


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
