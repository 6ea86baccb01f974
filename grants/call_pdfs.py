"""The downloadable PDF of a call, rendered by Celery in each reader's language."""
