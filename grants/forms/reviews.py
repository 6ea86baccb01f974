"""Forms of the review pages: assignment (one and in bulk), the conflict declaration, scores, marking reviewed.

They shape input only; grants.services.reviews decides. Every FormHelper has form_tag=False: the template owns
<form> (a form inside a form breaks the browser).
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from grants.services.reviews import MAX_COMMENT, MAX_NOTE, default_due_date


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.email} ({obj.email})"


class AssignReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(label=_("Reviewer"), queryset=None)
    due_date = forms.DateField(label=_("Review due"), widget=_date_input())
    override_reason = forms.CharField(
        label=_("Why this reviewer may still review despite the warnings"),
        help_text=_("Needed only when the system warns of a likely conflict; it is kept in the audit log."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_NOTE,
        required=False,
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["due_date"].initial = default_due_date()
        self.helper = _helper()


class BulkAssignForm(forms.Form):
    due_date = forms.DateField(label=_("Reviews due"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].initial = default_due_date()
        self.helper = _helper()


class MarkReviewedForm(forms.Form):
    accept_divergence = forms.BooleanField(label=_("Accept the difference between the reviews"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("Required when you accept diverging reviews: say why."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_NOTE,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ConflictDeclarationForm(forms.Form):
    note = forms.CharField(
        label=_("What is the conflict? (optional, seen by the programme officer)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_NOTE,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReviewScoresForm(forms.Form):
    """One score, n/a box (where the criterion allows it) and comment per criterion of the call.

    Ranges and completeness are checked by the service, whose messages name the criterion; this form only
    reads the numbers.
    """

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = scores or {}
        for criterion in criteria:
            existing = scores.get(criterion.pk)
            choices = [("", "—"), *[(str(n), str(n)) for n in range(criterion.max_score + 1)]]
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("Score (0–%(max)s)") % {"max": criterion.max_score},
                widget=forms.Select(choices=choices),
                required=False,
                initial=existing.score if existing else None,
            )
            if criterion.allows_not_applicable:
                self.fields[f"na_{criterion.pk}"] = forms.BooleanField(
                    label=_("Not applicable"), required=False, initial=existing.not_applicable if existing else False
                )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=MAX_COMMENT,
                required=False,
                initial=existing.comment if existing else "",
            )
        self.helper = _helper()

    def rows(self):
        """(criterion, score field, n/a field or None, comment field) for the template."""
        return [
            (
                criterion,
                self[f"score_{criterion.pk}"],
                self[f"na_{criterion.pk}"] if f"na_{criterion.pk}" in self.fields else None,
                self[f"comment_{criterion.pk}"],
            )
            for criterion in self.criteria
        ]

    def scores(self):
        data = self.cleaned_data
        return {
            criterion.pk: {
                "score": data.get(f"score_{criterion.pk}"),
                "not_applicable": bool(data.get(f"na_{criterion.pk}")),
                "comment": data.get(f"comment_{criterion.pk}") or "",
            }
            for criterion in self.criteria
        }

    def add_service_errors(self, errors):
        """Put the service's messages ({criterion id: [messages]}) under the criterion's score field."""
        for criterion_id, messages in errors.items():
            for message in messages:
                self.add_error(f"score_{criterion_id}", message)
