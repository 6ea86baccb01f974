"""Every string is translated, and the Cyrillic catalogue is the transliteration of the Latin one."""

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.transliterate_sr import transliterate_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = ["sq", "sr_Latn", "sr", "third_party/sq", "third_party/sr_Latn", "third_party/sr"]


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_of_the_catalogue_is_translated(language):
    assert shutil.which("msgfmt"), "gettext is missing: install it (apt-get install gettext)"
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@pytest.mark.parametrize("folder", [LOCALE, LOCALE / "third_party"])
def test_the_cyrillic_catalogue_is_regenerated_from_the_latin_one(folder):
    latin = (folder / "sr_Latn" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    cyrillic = (folder / "sr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    generated_note, _, body = cyrillic.partition("\n")
    assert generated_note.startswith("# Generated from")
    assert body == transliterate_po(latin), "run `make messages` after editing locale/sr_Latn"
