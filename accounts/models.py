from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.validators import validate_jmbg, validate_kosovo_personal_number, validate_phone
from core.choices import Community, Sex
from core.models import TimeStampedModel
from core.text import name_key


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A log-in. People log in by e-mail; `language` is used for every e-mail and document sent to them."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("E-mails and documents are sent to you in this language."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email


class Person(TimeStampedModel):
    """The one record of a human the programme counts.

    The same person can be an applicant, a business owner and a training participant; USAID
    counts unique people, disaggregated by sex, age and community. Community, birth date and
    ID numbers are sensitive: collected with consent, shown only to the roles that need them
    (see `accounts.permissions.can_view_personal_data`).
    """

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=20, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, help_text=_("Filled from the date of birth when that is known.")
    )
    community = models.CharField(_("community"), max_length=20, choices=Community.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    personal_number = models.CharField(
        _("Kosovo personal number"), max_length=10, blank=True, validators=[validate_kosovo_personal_number]
    )
    jmbg = models.CharField(_("JMBG (Serbian personal number)"), max_length=13, blank=True, validators=[validate_jmbg])
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail address"), blank=True)
    consent_given = models.BooleanField(_("consent to the use of personal data given"), default=False)
    consent_date = models.DateTimeField(_("consent given on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("log-in account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    # "first last" folded by core.text.name_key, so that one name in any script or spelling is found by one
    # indexed lookup (duplicate detection and search). Kept up to date by save().
    name_key = models.CharField(_("name as searched"), max_length=210, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            models.Index(fields=["name_key", "birth_year"], name="person_name_key_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["personal_number"],
                condition=~models.Q(personal_number=""),
                name="person_personal_number_unique",
            ),
            models.UniqueConstraint(fields=["jmbg"], condition=~models.Q(jmbg=""), name="person_jmbg_unique"),
            models.CheckConstraint(condition=models.Q(sex__in=Sex.values), name="person_sex_valid"),
            models.CheckConstraint(condition=models.Q(community__in=Community.values), name="person_community_valid"),
            models.CheckConstraint(
                condition=models.Q(consent_given=False) | models.Q(consent_date__isnull=False),
                name="person_consent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def clean(self):
        super().clean()
        if self.birth_date:
            self.birth_year = self.birth_date.year
        this_year = timezone.localdate().year
        if self.birth_year and not 1900 <= self.birth_year <= this_year:
            raise ValidationError(
                {"birth_year": _("Enter a year of birth between 1900 and %(year)s.") % {"year": this_year}}
            )
        if self.consent_given and not self.consent_date:
            self.consent_date = timezone.now()

    def save(self, *args, **kwargs):
        self.name_key = person_name_key(self.first_name, self.last_name)
        if self.birth_date:
            self.birth_year = self.birth_date.year
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "birth_year"}
        super().save(*args, **kwargs)

    def age_on(self, day):
        """Age in whole years on `day`; from the year alone when the date of birth is unknown."""
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        if self.birth_year:
            return day.year - self.birth_year
        return None


def person_name_key(first_name, last_name):
    """The `Person.name_key` of a first and a last name."""
    return name_key(f"{first_name} {last_name}")


class PersonDistinct(TimeStampedModel):
    """Two people whom staff checked and found to be different humans (same name, same year, not the same person).

    Stored once per pair, the lower id first; such a pair is never proposed as a duplicate again.
    """

    first = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, verbose_name=_("other person"), on_delete=models.CASCADE, related_name="+")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pair of different people")
        verbose_name_plural = _("pairs of different people")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="person_distinct_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="person_distinct_ordered"),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"


class OrganisationType(models.TextChoices):
    CSO = "cso", _("Civil-society organisation")
    INFORMAL_GROUP = "informal_group", _("Informal group")
    BUSINESS = "business", _("Business")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other organisation")


class Organisation(TimeStampedModel):
    """An organisation that applies, partners or is counted: CSO, informal group, business, municipality."""

    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    registration_number = models.CharField(
        _("registration number"),
        max_length=20,
        blank=True,
        help_text=_("The number in the register of NGOs or of businesses, as on the certificate."),
    )
    fiscal_number = models.CharField(_("fiscal number"), max_length=20, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    communities_represented = models.JSONField(
        _("communities represented"), default=list, blank=True, help_text=_("Community codes.")
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people who may apply for it"),
        blank=True,
        related_name="organisations",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=OrganisationType.values), name="organisation_type_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        unknown = [c for c in self.communities_represented or [] if c not in Community.values]
        if not isinstance(self.communities_represented, list) or unknown:
            raise ValidationError({"communities_represented": _("Choose communities from the list only.")})

    def get_communities_represented_display(self):
        labels = dict(Community.choices)
        return [labels[c] for c in self.communities_represented if c in labels]
