"""Logging set-up: one JSON object per line, each carrying the request id."""

import logging
import sys

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.json import JsonFormatter

from app.core.config import Settings

_HANDLER_NAME = "anales"


def configure_logging(settings: Settings) -> None:
    """Route the app's and uvicorn's loggers to one stderr handler (idempotent)."""
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    if settings.log_json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                rename_fields={
                    "levelname": "level",
                    "asctime": "time",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s")
        )
    root.addHandler(handler)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The access log middleware logs every request with its request id; uvicorn's would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
    # /readyz asks Alembic for the schema's revision; its notes on that are noise here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
