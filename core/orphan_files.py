"""Files that no row points to any more, removed from private storage.

Uploads (visit photos, handover records, deliverables, evidence, signed memoranda) are written to storage before
their transaction commits; when the transaction rolls back (a later check failed, the database went away), the file
stays behind without a row. A weekly task removes such files once they are old enough that no transaction can still
be writing their row.

Each app declares its folders on its AppConfig, so core never imports the apps:

    swept_upload_folders = {"photos": [("grants.VisitPhoto", ("image", "thumbnail"))]}

Folders not declared are never touched (report files, for instance: a submitted report keeps its files on purpose).
"""

import datetime
import logging

from django.apps import apps
from django.utils import timezone

from core.storage import private_storage

logger = logging.getLogger(__name__)
MIN_AGE = datetime.timedelta(days=1)


def swept_folders():
    """{folder: [(model, file field names), …]} gathered from every app's `swept_upload_folders`."""
    folders = {}
    for config in apps.get_app_configs():
        for folder, rows in getattr(config, "swept_upload_folders", {}).items():
            folders.setdefault(folder, []).extend((apps.get_model(label), fields) for label, fields in rows)
    return folders


def _stored_names(folder):
    """Every file name below `folder` of the private storage (walking its subfolders)."""
    try:
        subfolders, files = private_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for sub in subfolders:
        names += _stored_names(f"{folder}/{sub}")
    return names


def _referenced(models):
    names = set()
    for model, fields in models:
        for row in model._base_manager.values_list(*fields):
            names.update(name for name in row if name)
    return names


def orphan_files_sweep(*, now=None):
    """Delete the files of the declared folders that no row points to and that are older than a day; returns their
    names."""
    cutoff = (now or timezone.now()) - MIN_AGE
    removed = []
    for folder, models in swept_folders().items():
        referenced = _referenced(models)
        for name in _stored_names(folder):
            if name in referenced or private_storage.get_modified_time(name) > cutoff:
                continue
            private_storage.delete(name)
            removed.append(name)
    if removed:
        logger.info("Removed %s files without a row: %s", len(removed), ", ".join(removed[:20]))
    return removed
