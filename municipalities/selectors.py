from municipalities.models import Municipality, ProgrammeGroup


def partner_municipalities():
    return Municipality.objects.filter(is_partner=True).order_by("sort_order", "name_sq")


def partner_municipalities_by_group():
    """[(group label, [municipality, ...]), ...] in program.md's order, in one query."""
    municipalities = list(partner_municipalities())
    return [(group.label, [m for m in municipalities if m.programme_group == group.value]) for group in ProgrammeGroup]
