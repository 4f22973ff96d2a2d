"""Examples for the OpenAPI document: real answers of the API on the curated corpus
(`make run`, then curl), kept as data so the docs show what a client gets. Each name below
is read from the JSON file of the same name in lower case, beside this module."""

import json
from importlib.resources import files
from typing import Any


def _load(name: str) -> dict[str, Any]:
    text = files(__name__).joinpath(f"{name.lower()}.json").read_text(encoding="utf-8")
    example: dict[str, Any] = json.loads(text)
    return example


JSON_LD_PASSAGE = _load("JSON_LD_PASSAGE")
JSON_LD_EVENT = _load("JSON_LD_EVENT")
JSON_LD_ACTOR = _load("JSON_LD_ACTOR")
JSON_LD_PERIOD = _load("JSON_LD_PERIOD")
JSON_LD_REGION = _load("JSON_LD_REGION")
JSON_LD_THEME = _load("JSON_LD_THEME")
TIMELINEJS_EXAMPLE = _load("TIMELINEJS_EXAMPLE")
GRAPH_EXAMPLE = _load("GRAPH_EXAMPLE")
SEARCH_EXAMPLE = _load("SEARCH_EXAMPLE")
