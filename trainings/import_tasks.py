"""Celery tasks of the participant import (see trainings/imports.py). Safe to run twice."""

from celery import shared_task

from trainings.imports import import_files_sweep


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360, ignore_result=True)
def remove_stale_import_sheets():
    """Daily: uploaded participant sheets never confirmed nor discarded are removed from private storage after a
    day, so personal data does not pile up there."""
    return len(import_files_sweep())
