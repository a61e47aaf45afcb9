# Coordination Hub (协同中心): one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app

# gettext: compilemessages (translations are compiled into the image); Pango and Noto CJK:
# WeasyPrint lays out the PDFs (commitment, scorecards) with Chinese text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first (cached layer), then the source.
COPY pyproject.toml ./
RUN python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(d['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The apps run from /app (manage.py's folder); pyproject.toml declares no importable packages.
COPY . .

# Static files are collected at build time (whitenoise serves them); the build-only key never
# reaches a running container.
RUN export DEBUG=0 SECRET_KEY=build-only-not-used-at-run-time ALLOWED_HOSTS=localhost \
    && python manage.py collectstatic --noinput \
    && if [ -d locale ]; then python manage.py compilemessages; fi

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "coordination.wsgi", "--bind", "0.0.0.0:8000"]
