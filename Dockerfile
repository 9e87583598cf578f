FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app
RUN useradd --create-home --uid 1000 portal

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir portal registry stations points feedback dashboard \
    && touch portal/__init__.py registry/__init__.py stations/__init__.py points/__init__.py feedback/__init__.py \
        dashboard/__init__.py \
    && pip install . && pip uninstall --yes nuanxin-portal

COPY --chown=portal:portal . .
RUN mkdir -p /app/staticfiles /app/media && chown portal:portal /app/staticfiles /app/media

USER portal
EXPOSE 8000
CMD ["bin/start-web"]
