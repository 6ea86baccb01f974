"""Reads of a municipality's partnership for its page (templates/municipal/partnership/_panel.html)."""

from django.utils import timezone

from municipalities.models import FocalPerson, Memorandum, MouStatus, MunicipalityProfile, PopulationFigure


def _current(memoranda, today):
    """The memorandum the page shows first: the signed one in force today, else the latest signed one, else the
    latest draft. An ended memorandum is never the current one."""
    signed = [m for m in memoranda if m.status == MouStatus.SIGNED]
    in_force = [m for m in signed if m.starts_on <= today <= m.ends_on]
    for candidates in (in_force, signed, [m for m in memoranda if m.status == MouStatus.DRAFT]):
        if candidates:
            return max(candidates, key=lambda m: (m.starts_on, m.pk))
    return None


def partnership_for_page(municipality):
    """The panel's context in four queries: memoranda (the current one first, marked `is_current`; then the others,
    latest first), focal persons (active first), the profile or None, and population figures (latest year first).
    """
    memoranda = list(Memorandum.objects.filter(municipality=municipality).order_by("-starts_on", "-id"))
    current = _current(memoranda, timezone.localdate())
    for memorandum in memoranda:
        memorandum.municipality = municipality  # str(memorandum) names it without a query
        memorandum.is_current = memorandum is current
    if current is not None:
        memoranda.remove(current)
        memoranda.insert(0, current)
    return {
        "memoranda": memoranda,
        "focal_persons": list(FocalPerson.objects.filter(municipality=municipality).order_by("-is_active", "name")),
        "profile": MunicipalityProfile.objects.filter(municipality=municipality).first(),
        "population_figures": list(
            PopulationFigure.objects.filter(municipality=municipality).order_by("-year", "source", "community", "id")
        ),
    }
