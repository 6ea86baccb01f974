"""Importing participants and attendance of one training event from an XLSX sheet, the way field staff collect them.

Three steps, nothing saved before the last:

1. `sheet_read(content)` reads the workbook. A header row is required; an unknown column or a missing required one
   refuses the whole file with a message that names them.
2. `import_preview(event=..., sheet=...)` gives each row its outcome: the existing person it matches (by personal
   number, or by the name in any script and spelling with the birth date or year and municipality, through
   `accounts.selectors_people.person_duplicates`), a new person, or an error with its reason. Any error blocks the
   import; staff correct the sheet and upload it again.
3. `import_apply(actor=..., event=..., content=...)` reads and checks the sheet again against the database as it is
   now, then creates the new people, enrols everyone and records attendance through the trainings services, all in
   one transaction: the whole sheet or nothing.

Sheet layout (one row per participant): first name, last name, sex, birth date (dd.mm.yyyy) or birth year,
community, municipality, personal number (optional), phone (optional), pre-test score and post-test score
(optional, whole numbers 0–100, recorded through `services.enrolment_scores`), then one column per session date
(dd.mm.yyyy) with 1, x or ✓ for present.

A sheet uploaded for a preview waits in private storage under SHEET_FOLDER; one never confirmed or discarded is
removed after a day by `import_files_sweep` (the daily task trainings.import_tasks.remove_stale_import_sheets).
"""

import datetime
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from accounts.models import Person
from accounts.selectors_people import person_duplicates
from accounts.validators import validate_kosovo_personal_number, validate_phone
from core.choices import Community, Sex
from core.errors import ApplicationError
from core.services import audit_record
from core.storage import private_storage
from core.text import fold, name_key
from municipalities.models import Municipality
from trainings import services
from trainings.models import ENROLLING_STATUSES, EventStatus, TrainingEvent
from trainings.permissions import can_manage_trainings

logger = logging.getLogger(__name__)
MAX_ROWS = 1000
LANGUAGE_CODES = ("sq", "sr-latn", "sr", "en")

# Column key → header as written in the template, and the headers accepted (folded: any script, no diacritics).
COLUMNS = {
    "first_name": (
        gettext_lazy("first name"),
        {"first name", "firstname", "name", "emri", "ime", "given name"},
    ),
    "last_name": (
        gettext_lazy("last name"),
        {"last name", "lastname", "surname", "family name", "mbiemri", "prezime"},
    ),
    "sex": (gettext_lazy("sex"), {"sex", "gender", "gjinia", "pol"}),
    "birth": (
        gettext_lazy("birth date or year"),
        {
            "birth date or year",
            "birth date",
            "date of birth",
            "birth year",
            "year of birth",
            "datelindja",
            "data e lindjes",
            "viti i lindjes",
            "datum rodjenja",
            "godina rodjenja",
            "datum ili godina rodjenja",
            "data ose viti i lindjes",
        },
    ),
    "community": (gettext_lazy("community"), {"community", "komuniteti", "zajednica"}),
    "municipality": (gettext_lazy("municipality"), {"municipality", "komuna", "opstina"}),
    "personal_number": (
        gettext_lazy("personal number"),
        {"personal number", "numri personal", "licni broj", "id number"},
    ),
    "phone": (gettext_lazy("phone"), {"phone", "telephone", "telefoni", "telefon", "tel"}),
    "pre_test_score": (
        gettext_lazy("pre-test score"),
        {
            "pre-test score",
            "pre test score",
            "pretest score",
            "pre-test",
            "pretest",
            "piket para testit",
            "piket e testit paraprak",
            "testi paraprak",
            "bodovi pre testa",
            "rezultat ulaznog testa",
            "ulazni test",
        },
    ),
    "post_test_score": (
        gettext_lazy("post-test score"),
        {
            "post-test score",
            "post test score",
            "posttest score",
            "post-test",
            "posttest",
            "piket pas testit",
            "piket e testit perfundimtar",
            "testi perfundimtar",
            "bodovi posle testa",
            "rezultat izlaznog testa",
            "izlazni test",
        },
    ),
}
REQUIRED = ("first_name", "last_name", "sex", "birth", "community", "municipality")
OPTIONAL = ("personal_number", "phone", "pre_test_score", "post_test_score")
SCORES = ("pre_test_score", "post_test_score")
# Sheets uploaded for a preview wait here (private storage) until confirmed or discarded; see import_files_sweep.
SHEET_FOLDER = "training_imports"
SHEET_MAX_AGE = datetime.timedelta(hours=24)

SEX_WORDS = {
    Sex.FEMALE: {"f", "female", "woman", "femer", "femre", "grua", "z", "zensko", "zenski", "zena"},
    Sex.MALE: {"m", "male", "man", "mashkull", "burre", "musko", "muski", "muskarac"},
}
# Words field staff write for a community besides its label in each language (folded).
COMMUNITY_WORDS = {
    Community.ALBANIAN: {"shqiptar", "shqiptare", "albanac", "albanka", "albanski", "albanian"},
    Community.SERB: {"serb", "serbe", "serbian", "srbin", "srpkinja", "srbi", "srpska", "srpski"},
    Community.BOSNIAK: {"boshnjak", "boshnjake", "bosnjak", "bosnjakinja"},
    Community.TURKISH: {"turk", "turke", "turcin", "turkinja", "turski"},
    Community.ROMA: {"rom", "rome", "romkinja"},
    Community.GORANI: {"goran", "gorane", "goranka"},
}
PRESENT_MARKS = {"1", "x", "✓", "✔", "☑", "yes", "po", "da", "true"}
ABSENT_MARKS = {"", "0", "-", "no", "jo", "ne", "false"}
DATE_RE = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})[./](\d{4})\s*$")


class Outcome:
    MATCH = "match"
    NEW = "new"
    ERROR = "error"


@dataclass
class Sheet:
    """The header and rows read from a workbook; `session_dates` maps a column index to its date."""

    columns: dict
    session_dates: dict
    rows: list  # (row number in the sheet, list of cell values)


@dataclass
class PreviewRow:
    number: int
    first_name: str = ""
    last_name: str = ""
    data: dict = field(default_factory=dict)
    person: Person | None = None
    already_enrolled: bool = False
    present_dates: list = field(default_factory=list)
    absent_dates: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # "pre_test_score"/"post_test_score" → 0–100, only those given
    errors: list = field(default_factory=list)

    @property
    def pre_test_score(self):
        return self.scores.get("pre_test_score")

    @property
    def post_test_score(self):
        return self.scores.get("post_test_score")

    @property
    def outcome(self):
        if self.errors:
            return Outcome.ERROR
        return Outcome.MATCH if self.person else Outcome.NEW


@dataclass
class Preview:
    rows: list
    session_dates: list
    file_errors: list = field(default_factory=list)

    @property
    def has_errors(self):
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def counts(self):
        return {
            "rows": len(self.rows),
            "matched": sum(1 for row in self.rows if row.outcome == Outcome.MATCH),
            "new": sum(1 for row in self.rows if row.outcome == Outcome.NEW),
            "errors": sum(1 for row in self.rows if row.outcome == Outcome.ERROR),
        }


# --- reading -----------------------------------------------------------------------------------------------------


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(text):
    return " ".join(fold(text).replace("_", " ").replace("*", " ").split())


def _as_date(value):
    """A date from a date cell or dd.mm.yyyy text; None when it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_RE.match(_text(value))
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return None


def _header_aliases():
    """Every accepted header (folded) → column key: the fixed aliases and the template's label in each language."""
    aliases = {alias: key for key, (_label, names) in COLUMNS.items() for alias in names}
    for key, (label, _names) in COLUMNS.items():
        for code in LANGUAGE_CODES:
            with translation.override(code):
                aliases.setdefault(_header_key(str(label)), key)
    return aliases


def sheet_read(content):
    """Read the first worksheet of an XLSX file (bytes). Refuses the whole file with an ApplicationError naming the
    unknown and missing columns, or when it is not a readable XLSX workbook."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ApplicationError(
            _("This file is not an XLSX workbook. Save the sheet as .xlsx (Excel workbook) and upload it again."),
            code="not_xlsx",
        ) from error
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines, None)
    if not header or not any(_text(cell) for cell in header):
        raise ApplicationError(
            _("The first row of the sheet must hold the column names; download the template and copy them."),
            code="no_header",
        )
    aliases = _header_aliases()
    columns, session_dates, unknown, repeated = {}, {}, [], []
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text:
            continue
        day = _as_date(cell)
        if day is not None:
            if day in session_dates.values():
                repeated.append(text)
            session_dates[index] = day
            continue
        key = aliases.get(_header_key(text))
        if key is None:
            unknown.append(text)
        elif key in columns:
            repeated.append(text)
        else:
            columns[key] = index
    missing = [str(COLUMNS[key][0]) for key in REQUIRED if key not in columns]
    problems = []
    if unknown:
        problems.append(
            _("unknown columns: %(names)s (session columns need a date as dd.mm.yyyy)")
            % {"names": ", ".join(f"“{name}”" for name in unknown)}
        )
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(f"“{name}”" for name in missing)})
    if repeated:
        problems.append(_("columns given twice: %(names)s") % {"names": ", ".join(f"“{name}”" for name in repeated)})
    if problems:
        raise ApplicationError(
            _("The file was refused, nothing was read: %(problems)s. Correct the header row and upload it again.")
            % {"problems": "; ".join(problems)},
            code="bad_columns",
        )
    rows = []
    for number, values in enumerate(lines, start=2):
        values = list(values)
        if not any(_text(value) for value in values):
            continue
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise ApplicationError(
                _("The sheet has more than %(max)s participants; split it and upload the parts one by one.")
                % {"max": MAX_ROWS},
                code="too_many_rows",
            )
    workbook.close()
    return Sheet(columns=columns, session_dates=session_dates, rows=rows)


# --- lookups -----------------------------------------------------------------------------------------------------


def _community_lookup():
    lookup = {word: value for value, words in COMMUNITY_WORDS.items() for word in words}
    for value, label in Community.choices:
        lookup[fold(value)] = value
        for code in LANGUAGE_CODES:
            with translation.override(code):
                lookup[_header_key(str(label))] = value
    return lookup


def _sex_lookup():
    lookup = {word: value for value, words in SEX_WORDS.items() for word in words}
    for value, label in Sex.choices:
        if value == Sex.NOT_STATED:
            continue
        for code in LANGUAGE_CODES:
            with translation.override(code):
                lookup[_header_key(str(label))] = value
    return lookup


def _municipality_lookup():
    lookup = {}
    for municipality in Municipality.objects.all():
        for name in (
            municipality.code,
            municipality.name_sq,
            municipality.name_sr_latn,
            municipality.name_sr_cyrl,
            municipality.name_en,
        ):
            if name:
                lookup[_header_key(name)] = municipality
    return lookup


# --- preview -----------------------------------------------------------------------------------------------------


def _cell(values, index):
    return values[index] if index is not None and index < len(values) else None


def _read_row(row, values, *, columns, lookups, today):
    get = {key: _cell(values, columns.get(key)) for key in COLUMNS}
    row.first_name, row.last_name = _text(get["first_name"]), _text(get["last_name"])
    data = {"first_name": row.first_name, "last_name": row.last_name}
    if not row.first_name or not row.last_name:
        row.errors.append(_("The first name and the last name are both needed; fill them in."))
    sex_text = _header_key(_text(get["sex"]))
    data["sex"] = lookups["sex"].get(sex_text)
    if not data["sex"]:
        row.errors.append(
            _("Sex “%(value)s” is not understood; write F or M (or female/male in any language).")
            % {"value": _text(get["sex"])}
        )
    birth = get["birth"]
    birth_date = _as_date(birth)
    birth_text = _text(birth)
    if birth_date is not None:
        if birth_date > today:
            row.errors.append(
                _("The birth date %(date)s is in the future; correct it.") % {"date": birth_date.strftime("%d.%m.%Y")}
            )
        data["birth_date"] = birth_date
    elif birth_text.isdigit() and len(birth_text) == 4:
        year = int(birth_text)
        if year > today.year:
            row.errors.append(_("The birth year %(year)s is in the future; correct it.") % {"year": year})
        elif year < 1900:
            row.errors.append(_("The birth year %(year)s is before 1900; correct it.") % {"year": year})
        data["birth_year"] = year
    else:
        row.errors.append(
            _("Birth “%(value)s” is neither a date (dd.mm.yyyy) nor a year (yyyy); correct it.") % {"value": birth_text}
        )
    community_text = _text(get["community"])
    data["community"] = lookups["community"].get(_header_key(community_text))
    if not data["community"]:
        row.errors.append(
            _("Unknown community “%(value)s”; use one of the programme's communities, e.g. Albanian, Serb, Roma.")
            % {"value": community_text}
        )
    municipality_text = _text(get["municipality"])
    data["municipality"] = lookups["municipality"].get(_header_key(municipality_text))
    if data["municipality"] is None:
        row.errors.append(
            _("Unknown municipality “%(value)s”; write its official name (in any language or script) or its code.")
            % {"value": municipality_text}
        )
    personal_number = _text(get["personal_number"]).replace(" ", "")
    if personal_number:
        try:
            validate_kosovo_personal_number(personal_number)
        except ValidationError as error:
            row.errors.append(
                _("Personal number “%(value)s”: %(reason)s") % {"value": personal_number, "reason": error.messages[0]}
            )
        data["personal_number"] = personal_number
    phone = _text(get["phone"])
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as error:
            row.errors.append(_("Phone “%(value)s”: %(reason)s") % {"value": phone, "reason": error.messages[0]})
        data["phone"] = phone
    row.data = data
    _read_scores(row, get)


def _read_scores(row, get):
    """The optional test scores: whole numbers from 0 to 100 (an empty cell records nothing)."""
    labels = {"pre_test_score": _("Pre-test score"), "post_test_score": _("Post-test score")}
    for key in SCORES:
        value = get[key]
        text = _text(value)
        if not text:
            continue
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        if number is None:
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                number = None
        if number is None or not float(number).is_integer() or not 0 <= number <= 100:
            row.errors.append(
                _("%(label)s “%(value)s” is not a whole number from 0 to 100; correct it or leave the cell empty.")
                % {"label": labels[key], "value": text}
            )
            continue
        row.scores[key] = int(number)


def _read_attendance(row, values, *, session_dates, event_dates):
    for index, day in session_dates.items():
        mark = _text(_cell(values, index)).lower()
        shown = day.strftime("%d.%m.%Y")
        if mark in PRESENT_MARKS:
            if day not in event_dates:
                row.errors.append(
                    _(
                        "Attendance on %(date)s, but this training has no session that day; add the session to the "
                        "training or correct the column's date."
                    )
                    % {"date": shown}
                )
            else:
                row.present_dates.append(day)
        elif mark in ABSENT_MARKS:
            if day in event_dates:
                row.absent_dates.append(day)
        else:
            row.errors.append(
                _("Attendance “%(value)s” on %(date)s is not understood; write 1, x or ✓ for present, or leave empty.")
                % {"value": mark, "date": shown}
            )


def _match(row, *, by_number):
    """The existing person the row describes, or an error when several people could be meant."""
    data = row.data
    if data.get("personal_number") and data["personal_number"] in by_number:
        row.person = by_number[data["personal_number"]]
        return
    candidates = person_duplicates(
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data.get("birth_date"),
        birth_year=data.get("birth_year"),
        municipality=data.get("municipality"),
    )
    if len(candidates) == 1:
        row.person = candidates[0].person
    elif len(candidates) > 1:
        row.errors.append(
            _(
                "Several people in the registry could be this person (%(names)s); add the personal number to the "
                "row, or merge the duplicates in the registry first."
            )
            % {"names": ", ".join(f"{c.person} #{c.person.pk}" for c in candidates)}
        )


def _row_identity(row):
    data = row.data
    keys = []
    if data.get("personal_number"):
        keys.append(("number", data["personal_number"]))
    birth = data.get("birth_date") or data.get("birth_year")
    if birth is not None:
        keys.append(("name", name_key(f"{row.first_name} {row.last_name}"), getattr(birth, "year", birth)))
    if row.person is not None:
        keys.append(("person", row.person.pk))
    return keys


def import_preview(*, event, sheet):
    """Each row's outcome against the database as it is now; saves nothing. Returns a Preview."""
    today = timezone.localdate()
    sessions = list(event.sessions.all())
    event_dates = {session.date for session in sessions}
    lookups = {"sex": _sex_lookup(), "community": _community_lookup(), "municipality": _municipality_lookup()}
    numbers = {
        _text(_cell(values, sheet.columns.get("personal_number"))).replace(" ", "") for _n, values in sheet.rows
    } - {""}
    by_number = {person.personal_number: person for person in Person.objects.filter(personal_number__in=numbers)}
    enrolled = set(event.enrolments.values_list("person_id", flat=True))
    preview = Preview(rows=[], session_dates=sorted(sheet.session_dates.values()))
    if not sheet.rows:
        preview.file_errors.append(_("The sheet has no participants under its header row; fill it in and upload it."))
    seen = {}
    places_left = event.capacity - len(enrolled)
    for number, values in sheet.rows:
        row = PreviewRow(number=number)
        _read_row(row, values, columns=sheet.columns, lookups=lookups, today=today)
        _read_attendance(row, values, session_dates=sheet.session_dates, event_dates=event_dates)
        if not row.errors:
            _match(row, by_number=by_number)
        for key in _row_identity(row):
            if key in seen:
                row.errors.append(
                    _("This row repeats row %(row)s (the same person); remove one of the two.") % {"row": seen[key]}
                )
                break
        for key in _row_identity(row):
            seen.setdefault(key, number)
        row.already_enrolled = row.person is not None and row.person.pk in enrolled
        if not row.errors and not row.already_enrolled:
            if places_left <= 0:
                row.errors.append(
                    _(
                        "The training is full (%(capacity)s places); raise the number of places or move this "
                        "participant to another event."
                    )
                    % {"capacity": event.capacity}
                )
            else:
                places_left -= 1
        preview.rows.append(row)
    needs_enrolment = any(not row.already_enrolled for row in preview.rows)
    if needs_enrolment and event.status not in ENROLLING_STATUSES:
        preview.file_errors.append(
            _("This training is %(status)s, so nobody can be enrolled any more; nothing can be imported.")
            % {"status": event.get_status_display()}
        )
    if event.status == EventStatus.CLOSED:
        preview.file_errors.append(_("This training is closed; its attendance can no longer change."))
    return preview


# --- apply -------------------------------------------------------------------------------------------------------


def _person_create(*, actor, event, data):
    person = Person(**{key: value for key, value in data.items() if value not in (None, "")})
    person.full_clean()
    person.save()
    audit_record(
        actor=actor,
        action="accounts.person.created",
        target=person,
        comment=_("Registered from a training's participant sheet."),
        data={"event_id": event.pk},
    )
    return person


@transaction.atomic
def import_apply(*, actor, event, content):
    """Apply a sheet in one transaction: new people created, everyone enrolled, attendance recorded per session.

    The sheet is read and checked again against the database as it is now (the event row locked); any error and
    nothing is saved. Returns the counts written to the audit entry.
    """
    if not can_manage_trainings(actor):
        raise ApplicationError(_("You cannot change trainings."), code="not_allowed")
    event = TrainingEvent.objects.select_for_update().get(pk=event.pk)
    preview = import_preview(event=event, sheet=sheet_read(content))
    if preview.has_errors:
        raise ApplicationError(
            _(
                "The sheet has errors now (the registry or the training changed since the preview); nothing was saved. "
                "Upload it again to see them."
            ),
            code="import_errors",
        )
    enrolment_of = {}
    created = enrolled = 0
    existing = {e.person_id: e for e in event.enrolments.all()}
    for row in preview.rows:
        if row.person is None:
            person = _person_create(actor=actor, event=event, data=row.data)
            enrolment = services.enrolment_create(actor=actor, event=event, person=person)
            created, enrolled = created + 1, enrolled + 1
        elif row.person.pk in existing:
            enrolment = existing[row.person.pk]
        else:
            enrolment = services.enrolment_create(actor=actor, event=event, person=row.person)
            enrolled += 1
        enrolment_of[row.number] = enrolment
    scored = _apply_scores(actor=actor, rows=preview.rows, enrolment_of=enrolment_of)
    sessions_recorded = 0
    for session in event.sessions.all():
        if session.date not in preview.session_dates:
            continue
        present = set(session.attendance.filter(present=True).values_list("enrolment_id", flat=True))
        for row in preview.rows:
            enrolment_id = enrolment_of[row.number].pk
            if session.date in row.present_dates:
                present.add(enrolment_id)
            elif session.date in row.absent_dates:
                present.discard(enrolment_id)
        services.attendance_record(actor=actor, session=session, present_enrolment_ids=present)
        sessions_recorded += 1
    counts = {
        "rows": len(preview.rows),
        "people_created": created,
        "people_matched": len(preview.rows) - created,
        "enrolled": enrolled,
        "sessions": sessions_recorded,
        "scored": scored,
    }
    audit_record(
        actor=actor,
        action="trainings.import.applied",
        target=event,
        comment=_("Participants and attendance imported from a sheet."),
        data=counts,
    )
    return counts


def _apply_scores(*, actor, rows, enrolment_of):
    """Record the scores given in the sheet through services.enrolment_scores; a score the sheet leaves empty keeps
    the value recorded before. Returns how many participants got scores."""
    scored = 0
    for row in rows:
        if not row.scores:
            continue
        enrolment = enrolment_of[row.number]
        values = {key: row.scores.get(key, getattr(enrolment, key)) for key in SCORES}
        services.enrolment_scores(actor=actor, enrolment=enrolment, **values)
        scored += 1
    return scored


# --- template ----------------------------------------------------------------------------------------------------


def import_template(*, event):
    """An XLSX template: the header row in the current language, one column per session date of the event."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Participants"))[:31]
    dates = sorted({session.date for session in event.sessions.all()})
    sheet.append([str(COLUMNS[key][0]) for key in (*REQUIRED, *OPTIONAL)] + [day.strftime("%d.%m.%Y") for day in dates])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- sheets never confirmed --------------------------------------------------------------------------------------


def import_files_sweep(*, now=None):
    """Delete the uploaded sheets that have waited in SHEET_FOLDER for more than a day (never confirmed or
    discarded: the person closed the preview). A younger sheet may still be confirmed and stays. Returns the names
    removed."""
    cutoff = (now or timezone.now()) - SHEET_MAX_AGE
    try:
        _folders, files = private_storage.listdir(SHEET_FOLDER)
    except FileNotFoundError:
        return []
    removed = []
    for filename in files:
        name = f"{SHEET_FOLDER}/{filename}"
        try:
            if private_storage.get_modified_time(name) > cutoff:
                continue
            private_storage.delete(name)
        except FileNotFoundError:  # confirmed or discarded meanwhile
            continue
        removed.append(name)
    if removed:
        logger.info("Removed %s participant sheets never confirmed", len(removed))
    return removed
