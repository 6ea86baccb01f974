"""Forms of the screening pages: one application's checklist and outcome, and a call's bulk outcome."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from grants.models import IneligibilityReason
from grants.services.screening import CHECK_LABELS, MANUAL_CHECKS, MAX_COMMENT

OUTCOMES = [("eligible", _("Eligible")), ("ineligible", _("Ineligible"))]
FREE_CHECKS = 2
YES_NO = [("", "—"), ("yes", _("Passed")), ("no", _("Failed"))]


class _OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose eligible or ineligible.")},
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons (for an ineligible application)"),
        choices=IneligibilityReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("An ineligible applicant reads it in the letter. Explain here any failed check you overrule."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "ineligible" and not cleaned.get("reasons"):
            self.add_error("reasons", _("Choose at least one reason why the application is ineligible."))
        return cleaned

    @property
    def eligible(self):
        return self.cleaned_data["outcome"] == "eligible"


class ScreeningForm(_OutcomeForm):
    """The manual checks of the checklist, up to two free checks, then the outcome."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        manual = {
            code: forms.ChoiceField(label=CHECK_LABELS[code], choices=YES_NO, required=False) for code in MANUAL_CHECKS
        }
        free = {}
        for number in range(1, FREE_CHECKS + 1):
            free[f"free_{number}_label"] = forms.CharField(
                label=_("Other check %(number)s") % {"number": number}, max_length=200, required=False
            )
            free[f"free_{number}_result"] = forms.ChoiceField(label=_("Result"), choices=YES_NO, required=False)
        self.fields = {**{f"check_{code}": field for code, field in manual.items()}, **free, **self.fields}
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        for number in range(1, FREE_CHECKS + 1):
            label, result = cleaned.get(f"free_{number}_label"), cleaned.get(f"free_{number}_result")
            if bool(label) != bool(result):
                self.add_error(f"free_{number}_result", _("Give both the check and its result, or neither."))
        return cleaned

    def checks(self):
        """The answers as application_screen(checks=…) takes them: passed True, failed False, not answered None."""
        data = self.cleaned_data
        answers = {"yes": True, "no": False}
        checks = {code: answers.get(data.get(f"check_{code}")) for code in MANUAL_CHECKS}
        checks["free"] = [
            {"label": data[f"free_{n}_label"], "passed": data[f"free_{n}_result"] == "yes"}
            for n in range(1, FREE_CHECKS + 1)
            if data.get(f"free_{n}_label")
        ]
        return checks


class BulkScreeningForm(_OutcomeForm):
    """The selected applications of one call (ids among `choices`) and the one outcome they all get."""

    applications = forms.MultipleChoiceField(
        label=_("Applications"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one application to screen."),
            "invalid_choice": _("One of the selected applications can no longer be screened; reload the page."),
        },
    )
    manual_checked = forms.BooleanField(
        label=_("I checked that the documents of the selected applications are legible and their registrations valid"),
        required=False,
    )

    def __init__(self, *args, application_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(str(pk), str(pk)) for pk in application_ids]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The page lists the applications (with their checks) itself; crispy renders the outcome only.
        self.helper.layout = Layout("manual_checked", "outcome", "reasons", "comment")

    def checks(self):
        value = True if self.cleaned_data.get("manual_checked") else None
        return {code: value for code in MANUAL_CHECKS}
