"""The person picker shared by every staff form that links an existing Person (business owners, managers and
employees, municipal staff trained …): a search of the registry, never a list of everyone.

The form's template includes "accounts/_person_choices.html" (the radio list, the hidden `q`, and the hints), and
its page has a GET search box whose htmx answer is that same partial.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from accounts.permissions import can_view_personal_data
from accounts.selectors_people import people_search

SEARCH_LIMIT = 20


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


class PersonChoiceField(forms.ModelChoiceField):
    """One person, chosen by radio button among the matches of a search (never a list of the whole registry).

    The label shows what any staff role may see: name, year of birth and municipality; the ID numbers only to
    the roles that may see personal data (`show_numbers`).
    """

    show_numbers = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.RadioSelect(attrs={"class": "form-check-input"}))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, person):
        parts = [str(person)]
        if person.birth_year:
            parts.append(_("born %(year)s") % {"year": person.birth_year})
        if person.municipality_id:
            parts.append(str(person.municipality))
        if self.show_numbers and person.personal_number:
            parts.append(_("personal number %(number)s") % {"number": person.personal_number})
        return " · ".join(parts)


class PersonPickForm(forms.Form):
    """A form whose person is picked from a search: `q` is what was searched (by GET, or kept in a hidden field of
    the POST), and only its matches, plus the person already chosen, are choices. Validation is one query.
    """

    search_limit = SEARCH_LIMIT

    def __init__(self, data=None, *, q="", user=None, **kwargs):
        super().__init__(data, **kwargs)
        self.q = (q or "").strip()
        may_see_numbers = bool(user) and can_view_personal_data(user)
        self.may_search_numbers = may_see_numbers
        matches = list(people_search(q=self.q, limit=self.search_limit + 1, by_number=may_see_numbers))
        self.has_more = len(matches) > self.search_limit
        self.matches = matches[: self.search_limit]
        ids = [person.pk for person in self.matches]
        chosen = (data or {}).get("person", "")
        if str(chosen).isdigit() and len(str(chosen)) < 19:  # a tampered value never reaches the database
            ids.append(int(chosen))
        field = PersonChoiceField(
            label=_("Person"),
            queryset=Person.objects.filter(pk__in=ids).select_related("municipality"),
            error_messages={
                "required": _("Choose the person from the search results; search by name first if none are shown."),
                "invalid_choice": _("That person is no longer in the registry; search again and choose from the list."),
            },
        )
        field.show_numbers = may_see_numbers
        self.fields = {"person": field, **self.fields}
        self.helper = _helper()
        self.helper.layout = Layout(*[name for name in self.fields if name != "person"])

    @property
    def too_short(self):
        return 0 < len(self.q) < 2
