from types import SimpleNamespace as SiteIdentity
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role


class AccountAdapter(DefaultAccountAdapter):
    """allauth, fitted to the programme: new sign-ups are applicants, e-mails go out in the reader's language."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        if commit:
            user.save()
            user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
        return user

    def get_login_redirect_url(self, request):
        return reverse("start")

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        if user is None:
            from accounts.models import User

            user = User.objects.filter(email__iexact=email).first()
        language = getattr(user, "language", None) or translation.get_language()
        context = {
            **context,
            "current_site": SiteIdentity(name="AKT-LS Grants", domain=urlsplit(settings.SITE_URL).netloc),
        }
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
