"""Files that no row points to any more, removed from private storage.

Photos and handover records are written to storage before their transaction commits; when the transaction rolls
back (a later check failed, the database went away), the file stays behind without a row. A weekly task removes
such files once they are old enough that no transaction can still be writing their row. Report files are left
alone: a report that was once submitted keeps its files on disk on purpose (see report_drafts._forget_files).
"""

import datetime
import logging

from django.utils import timezone

from grants.models import InKindDelivery, VisitPhoto
from grants.models.applications import private_storage

logger = logging.getLogger(__name__)
# Folder of the private storage → the rows and file fields that point into it.
SWEPT_FOLDERS = {
    "photos": [(VisitPhoto, ("image", "thumbnail"))],
    "grants": [(InKindDelivery, ("handover_file",))],
}
MIN_AGE = datetime.timedelta(days=1)


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
        for row in model.objects.values_list(*fields):
            names.update(name for name in row if name)
    return names


def orphan_files_sweep(*, now=None):
    """Delete the files of SWEPT_FOLDERS that no row points to and that are older than a day; returns their names."""
    cutoff = (now or timezone.now()) - MIN_AGE
    removed = []
    for folder, models in SWEPT_FOLDERS.items():
        referenced = _referenced(models)
        for name in _stored_names(folder):
            if name in referenced or private_storage.get_modified_time(name) > cutoff:
                continue
            private_storage.delete(name)
            removed.append(name)
    if removed:
        logger.info("Removed %s files without a row: %s", len(removed), ", ".join(removed[:20]))
    return removed
