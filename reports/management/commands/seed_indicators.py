from django.core.management.base import BaseCommand
from django.db import transaction

from reports.services.catalogue import seed_indicators


class Command(BaseCommand):
    help = (
        "Add the programme's indicators to the catalogue (those whose calculation is not in it yet). Idempotent: "
        "indicators already there — with the codes, names and targets the M&E officer may have changed — are left "
        "as they are."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            created = seed_indicators()
        self.stdout.write(self.style.SUCCESS(f"{len(created)} indicator(s) added: {', '.join(created) or '—'}."))
