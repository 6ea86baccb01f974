"""On PostgreSQL, a trigram index on Person.name_key, so that the people search ("djordje jov") stays fast with tens
of thousands of people. Other databases (SQLite in development) skip it: the search works there without it."""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_name_key_trgm ON accounts_person USING gin (name_key gin_trgm_ops)",
)
DROP = ("DROP INDEX IF EXISTS person_name_key_trgm",)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_person_name_key_distinct")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
