"""Celery tasks of grants after award: agreement PDFs and the selection record (see grants/services/grants.py)."""
