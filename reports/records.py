"""What a drill-down list shows for each kind of record behind a figure: the columns, the link to the record's own
page, and whether the list holds personal data (then only the roles that see personal data may open it).

A calculation names its `record_kind`; the list view, its XLSX/CSV export and the report annexes all read the
columns from here, so one kind of record looks the same wherever a figure is opened.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class Column:
    header: str
    value: object  # callable(record) -> a str, number or date


@dataclass
class RecordKind:
    code: str
    label: str
    columns: list
    prepare: object = None  # callable(queryset) -> queryset with select_related and a stable order
    url: object = None  # callable(record) -> the record's staff page, or None
    personal: bool = False
    ordering: tuple = ("pk",)
    extra: dict = field(default_factory=dict)

    def prepared(self, queryset):
        queryset = self.prepare(queryset) if self.prepare else queryset
        return queryset.order_by(*self.ordering)

    def row(self, record):
        return [column.value(record) for column in self.columns]

    def headers(self):
        return [str(column.header) for column in self.columns]


RECORD_KINDS = {}


def register_kind(kind):
    if kind.code in RECORD_KINDS:
        raise ValueError(f"Record kind registered twice: {kind.code}")
    RECORD_KINDS[kind.code] = kind
    return kind


def _label(record, field_name):
    return getattr(record, f"get_{field_name}_display")()


def _name(obj):
    return obj.name if obj is not None else ""


def _grantee(grant):
    application = grant.application
    if application.organisation_id:
        return application.organisation.name
    return str(application.person) if application.person_id else str(application.applicant)


# --- People --------------------------------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="person",
        label=_("People"),
        personal=True,
        prepare=lambda qs: qs.select_related("municipality"),
        ordering=("last_name", "first_name", "pk"),
        url=lambda p: reverse("staff:person_detail", args=[p.pk]),
        columns=[
            Column(_("Name"), lambda p: f"{p.first_name} {p.last_name}"),
            Column(_("Sex"), lambda p: _label(p, "sex") if p.sex else ""),
            Column(_("Year of birth"), lambda p: p.birth_year or ""),
            Column(_("Community"), lambda p: _label(p, "community") if p.community else ""),
            Column(_("Municipality"), lambda p: _name(p.municipality)),
        ],
    )
)

# --- Grants --------------------------------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="grant",
        label=_("Grants"),
        prepare=lambda qs: qs.select_related(
            "application__call",
            "application__municipality",
            "application__organisation",
            "application__person",
            "application__applicant",
        ),
        ordering=("number", "pk"),
        url=lambda g: reverse("staff:grant_detail", args=[g.pk]),
        columns=[
            Column(_("Grant"), lambda g: g.number),
            Column(_("Grantee"), _grantee),
            Column(_("Title"), lambda g: g.application.title),
            Column(_("Component"), lambda g: g.application.call.get_component_display()),
            Column(_("Municipality"), lambda g: _name(g.application.municipality)),
            Column(_("Instrument"), lambda g: g.get_instrument_display()),
            Column(_("Signed"), lambda g: g.signed_at.date() if g.signed_at else ""),
            Column(_("Amount (EUR)"), lambda g: g.amount),
            Column(_("Status"), lambda g: g.get_status_display()),
        ],
    )
)

# --- Businesses ----------------------------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="business",
        label=_("Businesses"),
        prepare=lambda qs: qs.select_related("municipality"),
        ordering=("name", "pk"),
        url=lambda b: reverse("staff:business_detail", args=[b.pk]),
        columns=[
            Column(_("Business"), lambda b: b.name),
            Column(_("NUI"), lambda b: b.nui),
            Column(_("Municipality"), lambda b: _name(b.municipality)),
            Column(_("Sector"), lambda b: _label(b, "sector") if b.sector else ""),
            Column(_("Registration"), lambda b: _label(b, "registration_status")),
            Column(_("Formalised on"), lambda b: b.formalised_on or ""),
        ],
    )
)

# --- Training events -----------------------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="training_event",
        label=_("Training events"),
        prepare=lambda qs: qs.select_related("course", "municipality"),
        ordering=("start_date", "pk"),
        url=lambda e: reverse("staff:training_event_detail", args=[e.pk]),
        columns=[
            Column(_("Course"), lambda e: e.course.title),
            Column(_("Topic"), lambda e: e.course.get_topic_display()),
            Column(_("Starts"), lambda e: e.start_date),
            Column(_("Ends"), lambda e: e.end_date),
            Column(_("Municipality"), lambda e: _name(e.municipality)),
            Column(_("Status"), lambda e: e.get_status_display()),
        ],
    )
)

# --- Municipal technical assistance --------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="ta_activity",
        label=_("Technical-assistance activities"),
        prepare=lambda qs: qs.select_related("package__municipality"),
        ordering=("starts_on", "pk"),
        url=lambda a: reverse("staff:ta_activity_detail", args=[a.pk]),
        columns=[
            Column(_("Activity"), lambda a: a.title),
            Column(_("Type"), lambda a: a.get_type_display()),
            Column(_("Municipality"), lambda a: _name(a.package.municipality)),
            Column(_("Starts"), lambda a: a.starts_on),
            Column(_("Status"), lambda a: a.get_status_display()),
            Column(_("Accepted on"), lambda a: a.accepted_on or ""),
        ],
    )
)

register_kind(
    RecordKind(
        code="municipal_service",
        label=_("Municipal services"),
        prepare=lambda qs: qs.select_related("municipality"),
        ordering=("municipality__sort_order", "name", "pk"),
        url=lambda s: reverse("staff:municipal_service_detail", args=[s.pk]),
        columns=[
            Column(_("Service"), lambda s: s.name),
            Column(_("Category"), lambda s: s.get_category_display()),
            Column(_("Municipality"), lambda s: _name(s.municipality)),
        ],
    )
)

register_kind(
    RecordKind(
        code="municipality",
        label=_("Municipalities"),
        ordering=("sort_order", "code"),
        url=lambda m: reverse("staff:municipality_detail", args=[m.code]),
        columns=[
            Column(_("Municipality"), lambda m: m.name),
            Column(_("Group"), lambda m: m.get_programme_group_display()),
        ],
    )
)

# --- Organisations -------------------------------------------------------------------------------------------
register_kind(
    RecordKind(
        code="organisation",
        label=_("Organisations"),
        prepare=lambda qs: qs.select_related("municipality"),
        ordering=("name", "pk"),
        columns=[
            Column(_("Organisation"), lambda o: o.name),
            Column(_("Type"), lambda o: o.get_type_display()),
            Column(_("Municipality"), lambda o: _name(o.municipality)),
        ],
    )
)
