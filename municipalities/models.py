from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import Community
from core.models import TimeStampedModel
from core.storage import private_storage


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


class OfficialLanguage(models.TextChoices):
    ALBANIAN = "sq", _("Albanian")
    SERBIAN = "sr", _("Serbian")
    TURKISH = "tr", _("Turkish")
    BOSNIAN = "bs", _("Bosnian")
    ROMANI = "rom", _("Romani")


class MunicipalityProfile(TimeStampedModel):
    """What the programme keeps about a partner municipality beyond its name: mayor, contact, languages."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="profile")
    mayor = models.CharField(_("mayor"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    official_languages = models.JSONField(
        _("languages in official use"), default=list, blank=True, help_text=_("Codes of OfficialLanguage.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality profile")
        verbose_name_plural = _("municipality profiles")

    def __str__(self):
        return str(self.municipality)

    def official_language_labels(self):
        labels = dict(OfficialLanguage.choices)
        return [labels.get(code, code) for code in self.official_languages]


class PopulationFigure(TimeStampedModel):
    """A population count with its source and year; `community` empty means the total."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="population_figures")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1948), MaxValueValidator(2100)])
    source = models.CharField(
        _("source"), max_length=200, help_text=_("For example: Kosovo Agency of Statistics, census 2024.")
    )
    community = models.CharField(_("community"), max_length=20, choices=Community.choices, blank=True)
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["-year", "community", "id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "source", "community"], name="population_once"),
        ]

    def __str__(self):
        return f"{self.municipality} {self.year}: {self.count}"


class MouStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    ENDED = "ended", _("Ended")


class Memorandum(TimeStampedModel):
    """The memorandum of understanding between the programme and a municipality. Terms of one municipality's
    memoranda never overlap (checked by the service)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="memoranda")
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    signatories = models.TextField(_("signatories"), help_text=_("Name and position of each signatory, one per line."))
    programme_commitments = models.TextField(_("commitments of the programme"))
    municipality_commitments = models.TextField(_("commitments of the municipality"))
    programme_ceiling = models.DecimalField(
        _("ceiling committed by the programme (EUR)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    ceiling_purpose = models.CharField(
        _("what the ceiling is for"), max_length=200, blank=True, help_text=_("For example: infrastructure envelope.")
    )
    cofunding_pledge = models.DecimalField(
        _("co-funding pledged by the municipality (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    signed_file = models.FileField(
        _("signed memorandum (PDF)"), storage=private_storage, upload_to="memoranda/", blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=MouStatus.choices, default=MouStatus.DRAFT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("memorandum of understanding")
        verbose_name_plural = _("memoranda of understanding")
        ordering = ["municipality__sort_order", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="mou_term_in_order"),
            models.CheckConstraint(condition=models.Q(status__in=MouStatus.values), name="mou_status_valid"),
        ]

    def __str__(self):
        return f"{self.municipality} {self.starts_on:%Y}–{self.ends_on:%Y}"


class FocalPerson(TimeStampedModel):
    """A municipal official the programme works with (contact data of an official, not a beneficiary)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="focal_persons")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150)
    department = models.CharField(_("department"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("still the focal person"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focal person")
        verbose_name_plural = _("focal persons")
        ordering = ["-is_active", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.position})"
