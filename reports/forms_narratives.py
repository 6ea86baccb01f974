"""Forms of the narratives pages: choosing the quarter, and the text of one section. They validate and shape input
only; reports.services.narratives saves it (and checks the length again, for every caller)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.periods import current_fiscal_year, fiscal_year_of
from reports.services.narratives import MAX_NARRATIVE_LENGTH


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    return helper


def fiscal_year_choices(shown=None):
    """From the programme's first fiscal year to next year (and the year shown, if outside), newest first."""
    first = fiscal_year_of(settings.PROGRAMME_START_DATE)
    years = set(range(first, current_fiscal_year() + 2)) | ({shown} if shown else set())
    return [(year, _("FY%(year)s") % {"year": year}) for year in sorted(years, reverse=True)]


class QuarterForm(forms.Form):
    """The quarter whose narratives the page shows (GET)."""

    fy = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    q = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[
            (1, _("Q1 (October–December)")),
            (2, _("Q2 (January–March)")),
            (3, _("Q3 (April–June)")),
            (4, _("Q4 (July–September)")),
        ],
    )

    def __init__(self, *args, shown_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = fiscal_year_choices(shown_year)
        self.helper = _helper()


class NarrativeForm(forms.Form):
    """The text of one section and the version of it the page showed (0: not written yet)."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "maxlength": MAX_NARRATIVE_LENGTH}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext(
            "Plain text; separate paragraphs with an empty line. At most %(limit)s characters."
        ) % {"limit": MAX_NARRATIVE_LENGTH}
        self.helper = _helper()

    def clean_text(self):
        text = (self.cleaned_data.get("text") or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_NARRATIVE_LENGTH:
            raise forms.ValidationError(
                _(
                    "The text has %(length)s characters; a section may hold at most %(limit)s. "
                    "Shorten it and save again."
                )
                % {"length": len(text), "limit": MAX_NARRATIVE_LENGTH}
            )
        return text
