"""The one mechanism every view uses to check permission.

Each app keeps its rules as plain `can_<action>(user, obj=None)` functions in its own
`permissions.py`; views name the rule they need. A refusal answers 404, exactly like an object
that does not exist, so that nobody learns what they may not see.
"""

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404


class PermissionRequiredMixin:
    """Declare `permission = can_something`; it is called as `permission(user, obj)`."""

    permission = None

    def get_permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if self.permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare `permission`.")
        self.check_permission(self.get_permission_object())
        return super().dispatch(request, *args, **kwargs)

    def check_permission(self, obj=None, permission=None):
        rule = permission or type(self).permission
        if not rule(self.request.user, obj):
            raise Http404
