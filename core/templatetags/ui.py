from django import template

register = template.Library()


@register.simple_tag
def button_style(tags, button_type=None):
    """The Bootstrap class of an allauth button, from allauth's tags ("prominent", "danger", "outline" ...)."""
    tags = set(tags or [])
    if "danger" in tags:
        return "btn-outline-danger" if "outline" in tags else "btn-danger"
    if "link" in tags:
        return "btn-link"
    if tags & {"outline", "secondary", "minor"}:
        return "btn-outline-secondary"
    if tags & {"primary", "prominent"} or button_type == "submit":
        return "btn-primary"
    return "btn-outline-secondary"
