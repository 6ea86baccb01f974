"""The README is the operator's manual: it must describe every variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _variables_read_by_settings():
    source = (ROOT / "akt_ls" / "settings.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z_0-9]+)\"", source))


def test_every_environment_variable_of_the_settings_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    variables = _variables_read_by_settings()
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "STAFF_REQUIRE_2FA"} <= variables
    undocumented = sorted(name for name in variables if f"`{name}`" not in readme)
    assert undocumented == []


def test_the_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_code_block = readme.split("```")[1]
    assert "make run" in first_code_block
    assert "make test" in first_code_block
