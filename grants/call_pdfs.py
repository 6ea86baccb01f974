"""The downloadable PDF of a call, rendered by Celery in each reader's language.

A call's PDF is a file in the default storage, `calls/<code>/<language>-<fingerprint>.pdf`. The fingerprint
comes from the call's `updated_at`, so every edit of the call gives new file names: a file, once written, is
never stale, and the page that offers it needs no database row to know whether it is ready.
"""

import hashlib
import logging
import os
import uuid
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_valid_filename

from core.pdf import render_pdf
from grants.models import Call
from grants.selectors import call_public_detail

logger = logging.getLogger(__name__)

# Raise when pdf/call.html changes in a way that old files should not be served any more.
LAYOUT_VERSION = "1"
SOFT_TIME_LIMIT = 120
TIME_LIMIT = 150
# How long a queued rendering keeps others from queueing the same file again; after it, a page that is
# still waiting queues it once more (which is also how a rendering that failed is tried again).
QUEUED_LOCK_SECONDS = TIME_LIMIT + 30
# Half-written files left by a worker that was killed are removed after this long.
STALE_PART_AGE = timedelta(hours=1)


def call_pdf_languages():
    return [code for code, _label in settings.LANGUAGES]


def call_pdf_folder(call):
    return f"calls/{get_valid_filename(call.code)}"


def call_pdf_fingerprint(call):
    stamp = f"{LAYOUT_VERSION}:{call.updated_at.isoformat()}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def call_pdf_name(call, language):
    """The storage name of the PDF of `call` as it is now, in `language`."""
    return f"{call_pdf_folder(call)}/{language}-{call_pdf_fingerprint(call)}.pdf"


def call_pdf_download_name(call, language):
    return f"{get_valid_filename(call.code)}-{language}.pdf"


def call_pdf_exists(call, language):
    return default_storage.exists(call_pdf_name(call, language))


def _queued_key(name):
    return f"grants:call-pdf-queued:{name}"


def request_call_pdf(call, language):
    """Queue the rendering of the call's PDF unless it exists or is already queued.

    Called from a web request that reads only committed rows, so it queues at once; with eager Celery (the
    development default) the file exists when this returns.
    """
    name = call_pdf_name(call, language)
    if default_storage.exists(name) or not cache.add(_queued_key(name), True, QUEUED_LOCK_SECONDS):
        return
    try:
        render_call_pdf.delay(call.pk, language)
    except Exception:
        cache.delete(_queued_key(name))  # let the next request try again
        raise


def queue_call_pdfs(call):
    """Prepare the call's PDF in every site language, once the current transaction commits (e.g. on publish)."""
    for language in call_pdf_languages():
        transaction.on_commit(lambda language=language: render_call_pdf.delay(call.pk, language))


def _call_for_pdf(call_id):
    code = Call.objects.filter(pk=call_id).values_list("code", flat=True).first()
    if code is None:
        return None
    try:
        return call_public_detail(code=code)
    except Http404:
        return None  # a draft has no public PDF


def _write_atomically(name, content):
    """Write `content` under `name` so that a reader sees either no file or the whole file."""
    try:
        final_path = default_storage.path(name)
    except NotImplementedError:
        # Object storages (S3) store an upload whole, never half of it.
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
        return
    folder, base = name.rsplit("/", 1)
    part = default_storage.save(f"{folder}/.{base}.{uuid.uuid4().hex}.part", ContentFile(content))
    try:
        os.replace(default_storage.path(part), final_path)
    except OSError:
        default_storage.delete(part)
        raise


def _remove_older_files(call, language, keep):
    """Remove this language's files of earlier versions of the call, and parts that a killed worker left."""
    folder = call_pdf_folder(call)
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for file_name in files:
        name = f"{folder}/{file_name}"
        if file_name.endswith(".pdf") and file_name.rsplit("-", 1)[0] == language and name != keep:
            default_storage.delete(name)
        elif file_name.endswith(".part"):
            try:
                old = default_storage.get_modified_time(name) < timezone.now() - STALE_PART_AGE
            except (FileNotFoundError, NotImplementedError):
                continue
            if old:
                default_storage.delete(name)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    ignore_result=True,
)
def render_call_pdf(call_id, language):
    """Render the public PDF of a call in `language` and store it; safe to run twice or concurrently.

    Returns the storage name, or None for a call that is gone or not public.
    """
    if language not in call_pdf_languages():
        logger.warning("Call PDF in unknown language %r refused", language)
        return None
    call = _call_for_pdf(call_id)
    if call is None:
        return None
    name = call_pdf_name(call, language)
    if default_storage.exists(name):
        return name
    with translation.override(language):
        page_url = settings.SITE_URL.rstrip("/") + reverse("call_detail", kwargs={"code": call.code})
    pdf = render_pdf("pdf/call.html", {"call": call, "page_url": page_url}, language=language)
    _write_atomically(name, pdf)
    _remove_older_files(call, language, keep=name)
    cache.delete(_queued_key(name))
    return name
