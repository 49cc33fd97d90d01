# optimizer: one container next to PostgreSQL (set DATABASE_URL or the DB_* variables).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes. The project
# itself is installed and removed again so that only its dependencies stay in this layer.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install . && pip uninstall --yes optimizer

# The code, the SQL files and the migrations; `optimizer` resolves sql/ and migrations/
# next to the app package, so the project is installed in place.
COPY app app
COPY sql sql
COPY migrations migrations
RUN pip install --no-deps --editable . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin optimizer \
    && mkdir -p /app/uploads /app/.data \
    && chown optimizer /app/uploads /app/.data

USER optimizer

ENV HOST=0.0.0.0 \
    PORT=8000 \
    LOG_FORMAT=json \
    MIGRATE_ON_START=true

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health', timeout=4)"]

# SIGTERM stops gracefully: requests finish (4 s), running jobs finish or are handed
# back (JOB_SHUTDOWN_GRACE_SECONDS), the pool closes. Allow ~15 s (docker --stop-timeout).
STOPSIGNAL SIGTERM
CMD ["optimizer", "serve"]
