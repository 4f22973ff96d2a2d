"""API keys for tests, stored the way the command line stores them."""

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.models import ApiKey
from app.services.keys import generate_key


def make_key(url: str, *scopes: str, name: str = "test") -> str:
    new = generate_key()
    engine = create_engine(url)
    try:
        with Session(engine) as session, session.begin():
            session.add(
                ApiKey(
                    name=name, prefix=new.prefix, secret_hash=new.secret_hash, scopes=list(scopes)
                )
            )
    finally:
        engine.dispose()
    return new.key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
