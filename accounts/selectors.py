from accounts.models import Organisation, Person
from accounts.roles import STAFF_ROLES, Role, user_roles


def start_url_name_for(user):
    """Where a person lands after log-in: the start page of their role."""
    roles = user_roles(user)
    if roles & STAFF_ROLES:
        return "staff:home"
    if Role.REVIEWER in roles:
        return "review_home"
    return "my_home"


def programme_counts():
    return {
        "people": Person.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def organisations_of_member(*, user):
    return Organisation.objects.filter(members=user).select_related("municipality").order_by("name")
