"""Render print documents (agreements, letters, reports) from HTML templates with WeasyPrint.

WeasyPrint fetches every <img src>, CSS url() and file: URL it meets. Documents contain text that
applicants wrote, so the fetcher here serves only the project's bundled static files and data:
URLs: nothing from the network, nothing else from the disk.
"""

import mimetypes

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in a document ({% static %} gives /static/...) resolve against this address,
# which never leaves the process: the fetcher answers it from the static files.
DOCUMENT_BASE_URL = "http://akt-ls-document.invalid/"


class StaticOnlyURLFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        from django.conf import settings

        prefix = DOCUMENT_BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(prefix):
            path = _static_file_path(url[len(prefix) :].split("?")[0].split("#")[0])
            if path:
                mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=open(path, "rb"), headers={"Content-Type": mime_type})  # noqa: SIM115 - WeasyPrint closes it
        raise ValueError(f"Documents may not load {url[:200]}")


def _static_file_path(name):
    if ".." in name.split("/"):
        return None
    try:
        if hasattr(staticfiles_storage, "path") and staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None


def render_pdf(template_name, context, *, language):
    """The PDF bytes of `template_name` (which extends pdf/base.html), in the reader's `language`."""
    with translation.override(language):
        html = render_to_string(template_name, {**context, "document_language": language})
    return html_to_pdf(html)


def html_to_pdf(html):
    return HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).write_pdf()
