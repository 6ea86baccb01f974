from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import Community
from core.models import TimeStampedModel


class ProgrammeGroup(models.TextChoices):
    """How program.md groups the partner municipalities."""

    SOUTH_SERB_MAJORITY = "south_serb_majority", _("Serb-majority municipalities in the south")
    ALBANIAN_MAJORITY = "albanian_majority", _("Albanian-majority municipalities")
    NORTH = "north", _("Municipalities in the north")


class Municipality(TimeStampedModel):
    """A Kosovo municipality, under its official name in each of the site's languages.

    The 16 partner municipalities are created by a data migration, so every database has them.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_sq = models.CharField(_("official name (Albanian)"), max_length=100)
    name_sr_latn = models.CharField(_("official name (Serbian, Latin)"), max_length=100)
    name_sr_cyrl = models.CharField(_("official name (Serbian, Cyrillic)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    programme_group = models.CharField(_("programme group"), max_length=30, choices=ProgrammeGroup.choices)
    majority_community = models.CharField(_("majority community"), max_length=20, choices=Community.choices)
    is_partner = models.BooleanField(_("partner municipality"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["sort_order", "name_sq"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(programme_group__in=ProgrammeGroup.values), name="municipality_group_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def name_in(self, language):
        """The official name in `language` (a code of settings.LANGUAGES); Albanian otherwise."""
        return {
            "sq": self.name_sq,
            "sr-latn": self.name_sr_latn,
            "sr": self.name_sr_cyrl,
            "en": self.name_en,
        }.get(language or "sq", self.name_sq)

    @property
    def name(self):
        return self.name_in(get_language())
