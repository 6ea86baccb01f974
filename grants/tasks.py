"""Celery tasks of the grants app live in their modules; importing them here registers them with the worker."""

from grants import call_pdfs, export_tasks, grant_tasks, report_tasks  # noqa: F401
