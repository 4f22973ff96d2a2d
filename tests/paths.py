"""Paths of the API's routes by their names, as the app declares them (so a test follows a
route that moves): `path("get_actor", slug="kgb")` is `/api/v1/actors/kgb`."""

from app.api import api_router


def path(name: str, **params: str | int) -> str:
    return str(api_router.url_path_for(name, **{k: str(v) for k, v in params.items()}))
