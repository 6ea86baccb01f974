import getpass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import staff_user_create
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a staff or reviewer account with one role (applicants sign up on the site)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", default="sq", choices=[code for code, _ in settings.LANGUAGES])
        parser.add_argument(
            "--password",
            help="Set this password (else you are asked; with --no-input the account has no password "
            "and its owner uses 'Forgot your password?').",
        )

    def handle(self, *args, email, role, first_name, last_name, language, password, **options):
        if password is None and options.get("interactive", True) and not options.get("no_input"):
            password = getpass.getpass("Password (leave empty for none): ") or None
        try:
            user = staff_user_create(
                actor=None,
                email=email,
                role=role,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.email} with the role {role}."))

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--no-input", action="store_true", dest="no_input", help="Never ask for a password.")
        return parser
