# The production image of AKT-LS Grants: gunicorn + whitenoise, with WeasyPrint's system libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext compiles the translations; Pango, HarfBuzz and the image libraries are what WeasyPrint needs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libjpeg62-turbo libopenjp2-7 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Build-time only secret: the real one comes from the environment at run time.
RUN SECRET_KEY=image-build-only python manage.py compilemessages --ignore=.venv -v 0 \
    && SECRET_KEY=image-build-only python manage.py collectstatic --noinput -v 0 \
    && useradd --create-home --uid 1000 akt \
    && mkdir -p /app/media \
    && chown -R akt /app/media

USER akt
EXPOSE 8000
CMD ["gunicorn", "akt_ls.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-"]
