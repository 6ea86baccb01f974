"""Choices shared by every app. Stored values are language-independent codes, never labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Community(models.TextChoices):
    """The communities the programme disaggregates by (program.md)."""

    ALBANIAN = "albanian", pgettext_lazy("community", "Albanian")
    SERB = "serb", pgettext_lazy("community", "Serb")
    BOSNIAK = "bosniak", pgettext_lazy("community", "Bosniak")
    TURKISH = "turkish", pgettext_lazy("community", "Turkish")
    ROMA = "roma", pgettext_lazy("community", "Roma")
    ASHKALI = "ashkali", pgettext_lazy("community", "Ashkali")
    EGYPTIAN = "egyptian", pgettext_lazy("community", "Egyptian")
    GORANI = "gorani", pgettext_lazy("community", "Gorani")
    MONTENEGRIN = "montenegrin", pgettext_lazy("community", "Montenegrin")
    CROAT = "croat", pgettext_lazy("community", "Croat")
    OTHER = "other", pgettext_lazy("community", "Other")
    NOT_STATED = "not_stated", pgettext_lazy("community", "Prefer not to say")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_STATED = "not_stated", pgettext_lazy("sex", "Prefer not to say")


class Component(models.TextChoices):
    """The programme's three components; `prefix` is used in reference numbers."""

    CIVIC_ENGAGEMENT = "civic_engagement", _("Civic Engagement")
    BUSINESS_DEVELOPMENT = "business_development", _("Business Development")
    MUNICIPAL_DEVELOPMENT = "municipal_development", _("Municipal Development")

    @property
    def prefix(self):
        return {"civic_engagement": "CE", "business_development": "BD", "municipal_development": "MD"}[self.value]


class AgeBand(models.TextChoices):
    """Age bands of beneficiaries and participants; 15–29 is "youth" in the donor's indicators."""

    UNDER_15 = "under_15", _("Under 15")
    YOUTH = "15_29", _("15–29")
    ADULT = "30_64", _("30–64")
    SENIOR = "65_plus", _("65 and over")
    NOT_KNOWN = "not_known", pgettext_lazy("age band", "Not known")
