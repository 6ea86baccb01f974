"""Load the 16 partner municipalities, so that every database has them."""

from django.db import migrations


def load(apps, schema_editor):
    from municipalities.data import PARTNER_MUNICIPALITIES

    Municipality = apps.get_model("municipalities", "Municipality")
    for order, (code, sq, sr_latn, sr_cyrl, en, group, majority) in enumerate(PARTNER_MUNICIPALITIES, start=1):
        Municipality.objects.update_or_create(
            code=code,
            defaults={
                "name_sq": sq,
                "name_sr_latn": sr_latn,
                "name_sr_cyrl": sr_cyrl,
                "name_en": en,
                "programme_group": group,
                "majority_community": majority,
                "is_partner": True,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
