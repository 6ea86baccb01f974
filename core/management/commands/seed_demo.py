import importlib
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create a believable demo programme: people, organisations and one user per role. "
        "Idempotent: running it again adds nothing twice. Each app adds its part in its own demo.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this may be a production database: seed_demo refuses to add demo data. "
                "Use --force if you really mean it."
            )
        started = time.monotonic()
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                try:
                    module = importlib.import_module(f"{app_config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app_config.name}.demo":
                        raise
                    continue
                for line in module.seed(password=settings.DEMO_PASSWORD):
                    self.stdout.write(f"  {app_config.label}: {line}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.stdout.write(
            f"Every demo log-in uses the password '{settings.DEMO_PASSWORD}' (set DEMO_PASSWORD to change it)."
        )
