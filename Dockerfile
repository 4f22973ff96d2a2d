# Anales: a slim, non-root image that migrates, seeds and serves.
#   docker build -t anales .
#   docker run -p 8000:8000 anales                       # embedded SQLite in /data
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql+psycopg://user:pass@db/anales anales
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN python -m venv /opt/venv && /opt/venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/anales.db \
    SEED_DIR=/app/seed \
    ALEMBIC_CONFIG=/app/alembic.ini
RUN useradd --system --uid 10001 --home-dir /app anales \
    && mkdir -p /data && chown anales /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY seed ./seed
USER anales
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# Migrations and the idempotent seed load run before the server starts.
CMD ["sh", "-c", "alembic upgrade head && python -m app seed && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --proxy-headers"]
