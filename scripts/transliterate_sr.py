#!/usr/bin/env python3
"""Generate the Serbian Cyrillic catalogue from the Serbian Latin one.

Translators maintain one Serbian text (locale/sr_Latn); `make messages` runs this script to
write locale/sr (Cyrillic). Placeholders, HTML, escapes, URLs and a few Latin-only names
(USAID, CDF, AKT-LS ...) are left as they are.

Usage: transliterate_sr.py SOURCE.po TARGET.po
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.transliteration import transliterate_text  # noqa: E402


def transliterate_po(source):
    """Transliterate every msgstr of a .po file's text; the header only changes its language."""
    lines, state, msgid, in_header = [], None, "", False
    for line in source.splitlines(keepends=True):
        if line.startswith(("msgid ", "msgctxt ")):
            if line.startswith("msgctxt ") or state != "id":
                msgid = ""
            state = "id"
            if line.startswith("msgid "):
                msgid += line.partition(" ")[2].strip()[1:-1]
        elif line.startswith("msgstr"):
            # The header is the one entry whose msgid is empty (a long msgid also starts with msgid "").
            state, in_header = "str", msgid == ""
            if not in_header:
                key, _, quoted = line.partition(" ")
                line = f"{key} {_quoted(quoted)}"
        elif line.startswith('"') and state == "id":
            msgid += line.strip()[1:-1]
        elif line.startswith('"') and state == "str":
            line = line.replace("Language: sr_Latn", "Language: sr") if in_header else _quoted(line)
        elif not line.strip():
            state, msgid = None, ""
        lines.append(line)
    return "".join(lines)


def _quoted(fragment):
    body = fragment.strip()
    assert body.startswith('"') and body.endswith('"'), fragment
    return '"' + transliterate_text(body[1:-1]) + '"\n'


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as source:
        text = transliterate_po(source.read())
    with open(argv[2], "w", encoding="utf-8") as target:
        target.write(f"# Generated from {argv[1]} by scripts/transliterate_sr.py (make messages): do not edit.\n")
        target.write(text)


if __name__ == "__main__":
    main(sys.argv)
