"""The one settings object, read from the environment (and a `.env` file when present)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'anales.db'}",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    seed_dir: Path = PROJECT_ROOT / "seed"
    alembic_config: Path = Field(
        default=PROJECT_ROOT / "alembic.ini",
        description="alembic.ini, whose migrations /readyz compares the database with.",
    )
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    statement_timeout_ms: int = Field(
        default=5000, ge=0, description="Longest a query may run before it is cut (503)."
    )
    pool_size: int = Field(default=5, ge=1)
    pool_timeout_s: float = Field(
        default=5.0, gt=0, description="Longest a request waits for a database connection."
    )

    cors_allow_origins: list[str] = Field(
        default=["*"], description="Origins allowed to read the API from a browser."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=0, description="Larger bodies get 413.")
    rate_limit: str | None = Field(
        default=None,
        description="Per-client limit such as '120/minute' (429 past it); off when unset.",
        examples=["120/minute"],
    )
    response_cache_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=0,
        description="Memory for kept responses (each charged its key, headers, body and "
        "bookkeeping), reused until the data changes; 0 keeps none.",
    )
    log_level: str = "INFO"
    log_json: bool = Field(default=True, description="One JSON object per log line.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
