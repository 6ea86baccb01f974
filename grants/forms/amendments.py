"""The amendment proposal: new amount and end date, and for every budget line, unpaid tranche and milestone an input
for its new value (empty = unchanged), plus one new milestone and one new tranche.

The form validates and shapes input only: `changes()` gives the JSON shape of grants.services.amendments.plan, and
the service checks that everything adds up. FormHelper(form_tag=False): the template owns <form>.
"""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from grants.models import TrancheStatus

NEW = "new"


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_input(placeholder):
    return forms.TextInput(attrs={"inputmode": "decimal", "placeholder": placeholder, "autocomplete": "off"})


def _money(value):
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _money_field(label, help_text, placeholder):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=_money_input(placeholder),
    )


class AmendmentProposeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the amendment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the grant changes; the manager who decides and the auditors read it."),
    )
    new_amount = forms.DecimalField(
        label=_("New grant amount (EUR)"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    new_end_date = forms.DateField(label=_("New end date"), required=False, widget=_date_input())
    new_milestone_description = forms.CharField(label=_("Description"), required=False, max_length=300)
    new_milestone_due_date = forms.DateField(label=_("Due"), required=False, widget=_date_input())
    new_milestone_evidence = forms.CharField(label=_("Evidence expected"), required=False, max_length=300)
    new_tranche_amount = forms.DecimalField(
        label=_("Amount (EUR)"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    new_tranche_planned_date = forms.DateField(label=_("Planned"), required=False, widget=_date_input())
    new_tranche_milestone = forms.ChoiceField(label=_("Paid once this milestone is verified"), required=False)

    def __init__(self, *args, grant, lines, milestones, tranches, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant = grant
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["new_amount"].widget = _money_input(_money(grant.amount))
        self.fields["new_amount"].help_text = _("Now %(amount)s EUR. Leave empty to keep it.") % {
            "amount": _money(grant.amount)
        }
        self.fields["new_end_date"].help_text = _("Now %(date)s. Leave empty to keep it.") % {
            "date": formats.date_format(grant.end_date, "d.m.Y")
        }
        self._line_fields(lines)
        self._tranche_fields(tranches)
        self._milestone_fields(milestones)

    def _line_fields(self, lines):
        self.lines = lines
        for line in lines:
            help_text = _("Now %(amount)s EUR from the grant.") % {"amount": _money(line.grant_amount)}
            self.fields[f"line_{line.pk}"] = _money_field(line.description, help_text, _money(line.grant_amount))

    def _tranche_fields(self, tranches):
        self.tranches = [t for t in tranches if t.status not in (TrancheStatus.PAID, TrancheStatus.CANCELLED)]
        for tranche in self.tranches:
            values = {"number": tranche.number, "status": tranche.get_status_display()}
            label = _("Tranche %(number)s (%(status)s)") % values
            help_text = _("Now %(amount)s EUR; paid %(paid)s EUR.") % {
                "amount": _money(tranche.amount),
                "paid": _money(tranche.paid),
            }
            self.fields[f"tranche_{tranche.pk}"] = _money_field(label, help_text, _money(tranche.amount))

    def _milestone_fields(self, milestones):
        self.milestones = milestones
        choices = [("", "—")]
        for milestone in milestones:
            choices.append((str(milestone.pk), milestone.description))
            description = forms.CharField(
                label=_("Description"),
                required=False,
                max_length=300,
                disabled=milestone.is_verified,
                widget=forms.TextInput(attrs={"placeholder": milestone.description}),
            )
            due = forms.DateField(
                label=_("Due"),
                required=False,
                disabled=milestone.is_verified,
                widget=_date_input(),
                help_text=_("Now %(date)s.") % {"date": formats.date_format(milestone.due_date, "d.m.Y")},
            )
            if milestone.is_verified:
                description.help_text = _("Verified: it no longer changes.")
            self.fields[f"milestone_{milestone.pk}_description"] = description
            self.fields[f"milestone_{milestone.pk}_due_date"] = due
        choices.append((NEW, _("The new milestone below")))
        self.fields["new_tranche_milestone"].choices = choices

    # Rows for the template: each current row with its input(s).
    def line_rows(self):
        return [(line, self[f"line_{line.pk}"]) for line in self.lines]

    def tranche_rows(self):
        return [(tranche, self[f"tranche_{tranche.pk}"]) for tranche in self.tranches]

    def milestone_rows(self):
        return [(m, self[f"milestone_{m.pk}_description"], self[f"milestone_{m.pk}_due_date"]) for m in self.milestones]

    def clean(self):
        cleaned = super().clean()
        milestone = [cleaned.get("new_milestone_description"), cleaned.get("new_milestone_due_date")]
        if any(milestone) or cleaned.get("new_milestone_evidence"):
            if not milestone[0]:
                self.add_error("new_milestone_description", _("Describe the new milestone, or empty its fields."))
            if not milestone[1]:
                self.add_error("new_milestone_due_date", _("Choose the new milestone's due date."))
        tranche = [cleaned.get("new_tranche_amount"), cleaned.get("new_tranche_planned_date")]
        if any(tranche) or cleaned.get("new_tranche_milestone"):
            if not tranche[0]:
                self.add_error("new_tranche_amount", _("Enter the new tranche's amount, or empty its fields."))
            if not tranche[1]:
                self.add_error("new_tranche_planned_date", _("Choose when the new tranche is planned."))
            choice = cleaned.get("new_tranche_milestone")
            if not choice or (choice == NEW and not milestone[0]):
                self.add_error(
                    "new_tranche_milestone",
                    _("Choose the milestone the new tranche is paid on (or describe a new one)."),
                )
        return cleaned

    def changes(self):
        """The proposal in the service's JSON shape (only what was typed)."""
        data = self.cleaned_data
        budget = {line.pk: data[f"line_{line.pk}"] for line in self.lines if data.get(f"line_{line.pk}") is not None}
        tranches = {t.pk: data[f"tranche_{t.pk}"] for t in self.tranches if data.get(f"tranche_{t.pk}") is not None}
        milestones = {}
        for m in self.milestones:
            if m.is_verified:
                continue
            values = {
                "description": data.get(f"milestone_{m.pk}_description") or "",
                "due_date": data.get(f"milestone_{m.pk}_due_date"),
            }
            values = {key: value for key, value in values.items() if value}
            if values:
                milestones[m.pk] = values
        changes = {"budget": budget, "tranches": tranches, "milestones": milestones}
        changes["new_milestones"] = []
        if data.get("new_milestone_description"):
            changes["new_milestones"].append(
                {
                    "description": data["new_milestone_description"],
                    "due_date": data["new_milestone_due_date"],
                    "evidence": data.get("new_milestone_evidence") or "",
                }
            )
        changes["new_tranches"] = []
        if data.get("new_tranche_amount"):
            choice = data["new_tranche_milestone"]
            changes["new_tranches"].append(
                {
                    "amount": data["new_tranche_amount"],
                    "planned_date": data["new_tranche_planned_date"],
                    "milestone": None if choice == NEW else int(choice),
                    "new_milestone": 0 if choice == NEW else None,
                }
            )
        return changes


class AmendmentDecisionForm(forms.Form):
    """A manager's comment; the button pressed (name "decision": approve or reject) says what they decided."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: say what the proposer should change."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AmendmentWithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Why you withdraw it (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
