"""The one settings object, read from the environment (and a `.env` file when present)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


@lru_cache
def get_settings() -> Settings:
    return Settings()
