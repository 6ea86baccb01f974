"""Celery tasks of the trainings app live in their modules; importing them here registers them with the worker."""

from trainings import certificate_tasks, import_tasks  # noqa: F401
