"""Trainings of the business-development component: courses, their events, sessions, enrolments and attendance.

A participant is an `accounts.Person`, so USAID's counts of unique people include trainees once however many
courses they attend. Completion is computed by `trainings.services.event_complete` from attendance and the
event's rule, never ticked by hand.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from businesses.models import Sector
from core.i18n import Localized
from core.models import TimeStampedModel

ZERO = Decimal("0")


class Topic(models.TextChoices):
    BUSINESS_PLANNING = "business_planning", _("Business planning")
    FINANCIAL_PLANNING = "financial_planning", _("Financial planning")
    MARKETING_SALES = "marketing_sales", _("Marketing and sales")
    SECTOR_SPECIFIC = "sector_specific", _("Sector-specific skills")


class DeliveryLanguage(models.TextChoices):
    ALBANIAN = "sq", _("Albanian")
    SERBIAN = "sr", _("Serbian")
    BILINGUAL = "sq_sr", _("Albanian and Serbian")
    ENGLISH = "en", _("English")


class EventStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("training status", "Planned")
    OPEN = "open", pgettext_lazy("training status", "Open for enrolment")
    HELD = "held", pgettext_lazy("training status", "Held")
    CLOSED = "closed", pgettext_lazy("training status", "Closed")


# The whole lifecycle of a training event. Only trainings.services changes it.
EVENT_TRANSITIONS = {
    EventStatus.PLANNED: {EventStatus.OPEN, EventStatus.HELD},
    EventStatus.OPEN: {EventStatus.HELD},
    EventStatus.HELD: {EventStatus.CLOSED},
    EventStatus.CLOSED: set(),
}
ENROLLING_STATUSES = (EventStatus.PLANNED, EventStatus.OPEN)


class Course(TimeStampedModel):
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, blank=True, help_text=_("Only for sector-specific courses.")
    )
    title_sq = models.CharField(_("title (Albanian)"), max_length=200)
    title_sr = models.CharField(_("title (Serbian, Latin)"), max_length=200, blank=True)
    title_sr_cyrl = models.CharField(
        _("title (Serbian, Cyrillic)"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to show the Latin title transliterated."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_sq = models.TextField(_("description (Albanian)"), blank=True)
    description_sr = models.TextField(_("description (Serbian, Latin)"), blank=True)
    description_sr_cyrl = models.TextField(_("description (Serbian, Cyrillic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    history = HistoricalRecords()

    title = Localized("title")
    description = Localized("description")

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title_sq", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(topic__in=Topic.values), name="course_topic_valid"),
            models.CheckConstraint(
                condition=~models.Q(topic="sector_specific") | ~models.Q(sector=""), name="course_sector_needed"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.topic == Topic.SECTOR_SPECIFIC and not self.sector:
            raise ValidationError({"sector": _("A sector-specific course needs its sector; choose one.")})
        if self.topic != Topic.SECTOR_SPECIFIC:
            self.sector = ""


def _money(label):
    return models.DecimalField(
        label, max_digits=10, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )


class TrainingEvent(TimeStampedModel):
    """One delivery of a course: where, when, by whom, for how many, at what cost, and its completion rule."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="events")
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="training_events",
    )
    venue = models.CharField(_("venue"), max_length=200)
    language = models.CharField(_("language of delivery"), max_length=10, choices=DeliveryLanguage.choices)
    trainers = models.CharField(_("trainers"), max_length=300, blank=True, help_text=_("Names, separated by commas."))
    trainer_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("trainers with an account"), blank=True, related_name="+"
    )
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    contact_hours = models.DecimalField(
        _("contact hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    cost_instruction = _money(_("instruction cost (EUR)"))
    cost_participant = _money(_("participant cost (EUR)"))
    cost_travel = _money(_("travel cost (EUR)"))
    completion_min_percent = models.PositiveSmallIntegerField(
        _("sessions to attend for completion (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    status = models.CharField(_("status"), max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["municipality", "start_date"], name="training_event_place_date_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=EventStatus.values), name="training_event_status_ok"),
            models.CheckConstraint(
                condition=models.Q(language__in=DeliveryLanguage.values), name="training_event_language_ok"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="training_event_dates_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(completion_min_percent__gte=1, completion_min_percent__lte=100),
                name="training_event_rule_range",
            ),
        ]

    def __str__(self):
        return f"{self.course} · {self.municipality} · {self.start_date:%Y-%m-%d}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day; correct one of them.")})

    @property
    def total_cost(self):
        return self.cost_instruction + self.cost_participant + self.cost_travel

    @property
    def is_enrolling(self):
        return self.status in ENROLLING_STATUSES


class Session(TimeStampedModel):
    event = models.ForeignKey(TrainingEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    topic = models.CharField(_("topic"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="session_times_ordered"
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}–{self.end_time:%H:%M} {self.topic}".strip()

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("A session must end after it starts; correct the times.")})
        event = getattr(self, "event", None) if self.event_id else None
        if event and self.date and not event.start_date <= self.date <= event.end_date:
            raise ValidationError(
                {
                    "date": _("The session must fall between the event's first day (%(start)s) and last day (%(end)s).")
                    % {"start": event.start_date.isoformat(), "end": event.end_date.isoformat()}
                }
            )


def _score(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )


class Enrolment(TimeStampedModel):
    event = models.ForeignKey(
        TrainingEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey(
        "accounts.Person", verbose_name=_("participant"), on_delete=models.PROTECT, related_name="enrolments"
    )
    pre_test_score = _score(_("pre-test score"))
    post_test_score = _score(_("post-test score"))
    completed = models.BooleanField(_("completed"), default=False, help_text=_("Computed from attendance."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="enrolment_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(pre_test_score__isnull=True) | models.Q(pre_test_score__lte=100),
                name="enrolment_pre_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(post_test_score__isnull=True) | models.Q(post_test_score__lte=100),
                name="enrolment_post_score_range",
            ),
        ]

    def __str__(self):
        event = self.event
        return f"{event.course} · {event.start_date:%d.%m.%Y}–{event.end_date:%d.%m.%Y}"

    def get_staff_url(self):
        """The event's staff page, where this participant's row is (the people registry links here)."""
        return reverse("staff:training_event_detail", args=[self.event_id]) + f"#enrolment-{self.pk}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendance"
    )
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]

    def __str__(self):
        return f"{self.enrolment.person} · {self.session}"


# --- Certificates of completion (trainings/certificates.py issues and renders them) ---------------------------------


class CertificateStatus(models.TextChoices):
    NONE = "none", _("Not generated")
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("document status", "Failed")


CERTIFICATE_TRANSITIONS = {
    CertificateStatus.NONE: {CertificateStatus.QUEUED},
    CertificateStatus.QUEUED: {CertificateStatus.READY, CertificateStatus.FAILED},
    CertificateStatus.READY: set(),
    CertificateStatus.FAILED: {CertificateStatus.QUEUED},
}


def _private_storage():
    from grants.models.applications import private_storage

    return private_storage


def certificate_file_path(instance, filename):
    return f"certificates/{instance.issued_at:%Y}/{instance.verification_code}.pdf"


class CertificateSequence(models.Model):
    """The last certificate number given in a year; locked while a number is taken, so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate number sequence")
        verbose_name_plural = _("certificate number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Certificate(TimeStampedModel):
    """A certificate of completion of one enrolment: its number, public verification code and PDF."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.NONE
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("times queued"),
        default=0,
        help_text=_("How many times the PDF was sent to be prepared since it was issued or last retried by staff."),
    )
    file = models.FileField(
        _("file"), storage=_private_storage, upload_to=certificate_file_path, max_length=200, blank=True
    )
    language = models.CharField(_("language"), max_length=10)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CertificateStatus.values), name="certificate_status_valid"
            )
        ]

    def __str__(self):
        return self.number
