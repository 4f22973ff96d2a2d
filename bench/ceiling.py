"""The ceiling: a bare Starlette app answering constant JSON bytes, served like Anales.

No database, no validation, no middleware: what one uvicorn worker on one core can do at all
with this client, so the other rows can be read against it.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"items":[],"total":0,"limit":20,"next":null}'


async def constant(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/", constant), Route("/healthz", constant)])
