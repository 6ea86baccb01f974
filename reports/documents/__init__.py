"""The documents a report run can render, by ReportKind code.

A document is a function `render(run, progress)` registered with `@document(kind, formats=...)`. It reads the
period and parameters from `run` (a ReportRun: period_start/period_end, fiscal_year/quarter, municipality, params,
format, language — the active language is already `run.language`), calls `progress(percent, note)` as it goes, and
returns a `Rendered`: the file's bytes, the figures it printed (plain JSON data, stored as the run's snapshot) and,
for a PDF, its page count. It never writes to the database.
"""

from dataclasses import dataclass, field

_DOCUMENTS = {}


@dataclass
class Rendered:
    content: bytes
    figures: dict = field(default_factory=dict)
    pages: int | None = None


@dataclass
class Document:
    kind: str
    formats: tuple
    render: object


def document(kind, *, formats):
    def decorate(function):
        if kind in _DOCUMENTS:
            raise ValueError(f"Document registered twice: {kind}")
        _DOCUMENTS[kind] = Document(kind=kind, formats=tuple(formats), render=function)
        return function

    return decorate


def get(kind):
    _load()
    return _DOCUMENTS.get(kind)


def all_documents():
    _load()
    return dict(_DOCUMENTS)


def _load():
    # Imported on first use so that the modules (which import views' helpers and templates) load after the apps.
    from reports.documents import grants_list, indicator_table, municipality, quarterly, records, training  # noqa: F401
