# MailApp served by waitress as an unprivileged user; its state (SQLite, secret key,
# compiled catalogs, sandbox data) lives in the /app/instance volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MAILAPP_BIND=0.0.0.0:8080 \
    MAILAPP_INSTANCE_PATH=/app/instance

RUN groupadd --system --gid 10001 mailapp \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin mailapp

WORKDIR /app
COPY pyproject.toml README.md app.py ./
COPY panel ./panel
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
# Editable, because the app finds templates, static files and migrations beside panel/.
RUN pip install -e . \
    && mkdir -p /app/instance \
    && chown 10001:10001 /app/instance

# Numeric, so the runtime can check it is not root without reading /etc/passwd.
USER 10001:10001
VOLUME ["/app/instance"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ['MAILAPP_BIND'].rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/login', timeout=4)"]

CMD ["python", "app.py"]
