import shutil
import subprocess

import pytest
from django.template import Context, Template
from django.utils import translation

from core.pdf import DOCUMENT_BASE_URL, StaticOnlyURLFetcher, html_to_pdf

SAMPLE = "Graçanicë, Novobërdë · Gračanica, Vučitrn, Leposavić, Đurđevdan · Грачаница, Северна Митровица, Љубљана"


def _document(body, language="sq"):
    template = Template('{% extends "pdf/base.html" %}{% block body %}' + body + "{% endblock body %}")
    with translation.override(language):
        return template.render(Context({"document_language": language}))


def _pdf_text(pdf, tmp_path):
    assert shutil.which("pdftotext"), "pdftotext is missing: install poppler-utils (apt-get install poppler-utils)"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_documents_print_albanian_serbian_latin_and_cyrillic_letters_in_the_bundled_font(tmp_path):
    pdf = html_to_pdf(_document(f"<h1>{SAMPLE}</h1><p><b>{SAMPLE}</b> <i>{SAMPLE}</i></p>"))
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    for word in SAMPLE.replace(",", "").replace("·", "").split():
        assert word in text, word
    listing = subprocess.run(["pdffonts", str(tmp_path / "document.pdf")], capture_output=True, text=True).stdout
    fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert fonts == {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic"}


def test_documents_carry_the_running_header_and_page_numbers_in_the_readers_language(tmp_path):
    text = _pdf_text(html_to_pdf(_document("<p>x</p>", language="sr")), tmp_path)
    assert "Напредујемо Косово Заједно" in text
    assert "Страна 1 / 1" in text


def test_documents_cannot_reach_the_network_or_the_disk():
    fetcher = StaticOnlyURLFetcher()
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/healthz",
        "https://example.org/logo.png",
        DOCUMENT_BASE_URL + "static/../../etc/passwd",
        DOCUMENT_BASE_URL + "media/secret.pdf",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,QUtU").read() == b"AKT"
    font = fetcher.fetch(DOCUMENT_BASE_URL + "static/vendor/fonts/NotoSans_400Regular.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"
    font.close()


def test_an_image_pointing_at_a_local_file_is_left_out_and_the_document_still_renders(tmp_path):
    pdf = html_to_pdf(_document('<img src="file:///etc/hostname"><p>Klinë</p>'))
    assert "Klinë" in _pdf_text(pdf, tmp_path)
