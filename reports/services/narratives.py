"""The narrative sections staff write for each quarter's progress report.

A section is saved with optimistic locking: the page carries the `version` it showed (0 for a section not written
yet), and a save whose version is no longer the current one is refused, so two people editing the same section
never overwrite each other silently. Every save keeps the previous text in the history (simple_history) and writes
an audit entry.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.services import audit_record
from reports.models import Narrative, NarrativeSection
from reports.permissions import can_write_narratives

# About ten pages of report text: a section longer than this belongs in an annex.
MAX_NARRATIVE_LENGTH = 20000


@dataclass
class SectionText:
    """One section of a quarter, written or not (then `narrative` is None)."""

    code: str
    label: str
    narrative: Narrative | None

    @property
    def version(self):
        return self.narrative.version if self.narrative else 0


def is_valid_quarter(fiscal_year, quarter):
    return 2000 <= fiscal_year <= 2100 and quarter in (1, 2, 3, 4)


def narratives_of_quarter(*, fiscal_year, quarter):
    """The six sections of a quarter in the report's order, each with its narrative if written (one query)."""
    written = {
        narrative.section: narrative
        for narrative in Narrative.objects.filter(fiscal_year=fiscal_year, quarter=quarter).select_related("updated_by")
    }
    return [SectionText(code, label, written.get(code)) for code, label in NarrativeSection.choices]


def narrative_of(*, fiscal_year, quarter, section):
    return (
        Narrative.objects.filter(fiscal_year=fiscal_year, quarter=quarter, section=section)
        .select_related("updated_by")
        .first()
    )


class StaleNarrative(ApplicationError):
    """Someone saved the section after the page was opened; `current` is what they saved."""

    def __init__(self, current):
        super().__init__(
            _(
                "Someone else saved this section after you opened it. Your text is kept in the box below and "
                "theirs is shown beside it: combine what you need, then save again."
            ),
            code="stale",
        )
        self.current = current


def _check(*, actor, fiscal_year, quarter, section, text):
    if not can_write_narratives(actor):
        raise ApplicationError(
            _("Only programme, M&E and management staff may write report narratives."), code="denied"
        )
    if section not in NarrativeSection.values or not is_valid_quarter(fiscal_year, quarter):
        raise ApplicationError(_("Choose one of the report's sections and a quarter from 1 to 4."), code="unknown")
    if len(text) > MAX_NARRATIVE_LENGTH:
        raise ApplicationError(
            _(
                "The text has %(length)s characters; a section may hold at most %(limit)s. Shorten it (move long "
                "material to an annex) and save again."
            )
            % {"length": len(text), "limit": MAX_NARRATIVE_LENGTH},
            code="too_long",
        )


@transaction.atomic
def narrative_save(*, actor, fiscal_year, quarter, section, text, version):
    """Save the text of one section of one quarter, if `version` is still the current one (0: not written yet).

    Raises StaleNarrative when someone saved in between, ApplicationError for a refusal or a text too long.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    _check(actor=actor, fiscal_year=fiscal_year, quarter=quarter, section=section, text=text)
    narrative = (
        Narrative.objects.select_for_update().filter(fiscal_year=fiscal_year, quarter=quarter, section=section).first()
    )
    current_version = narrative.version if narrative else 0
    if int(version) != current_version:
        raise StaleNarrative(narrative_of(fiscal_year=fiscal_year, quarter=quarter, section=section))
    if narrative is not None and narrative.text == text:
        return narrative  # nothing changed: no new version, no audit entry
    previous_length = len(narrative.text) if narrative else 0
    if narrative is None:
        narrative = Narrative(fiscal_year=fiscal_year, quarter=quarter, section=section, version=0)
    narrative.text = text
    narrative.updated_by = actor
    narrative.version += 1
    narrative.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            narrative.save()
    except IntegrityError as error:
        # Two first saves of the same section at once: the other one won.
        raise StaleNarrative(narrative_of(fiscal_year=fiscal_year, quarter=quarter, section=section)) from error
    audit_record(
        actor=actor,
        action="reports.narrative.saved",
        target=narrative,
        comment=str(narrative),
        data={
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "section": section,
            "version": narrative.version,
            "length": len(text),
            "previous_length": previous_length,
        },
    )
    return narrative
