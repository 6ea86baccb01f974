from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.roles import is_staff_member

GUARDED_NAMESPACES = {"staff", "admin"}


class StaffTwoFactorMiddleware:
    """With STAFF_REQUIRE_2FA on, staff must set up TOTP before any /staff/ or admin page opens.

    People without a staff role are not redirected: the page's own permission check answers 404.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_REQUIRE_2FA:
            return None
        match = request.resolver_match
        if match is None or not GUARDED_NAMESPACES & set(match.namespaces):
            return None
        user = request.user
        if not user.is_authenticated or not (is_staff_member(user) or user.is_staff):
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        messages.warning(
            request,
            _("Staff accounts need two-factor authentication. Set up an authenticator app to continue."),
        )
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
