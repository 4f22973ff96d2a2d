"""Pure ASGI middleware: the envelope (security headers and access log), the rate limit, HEAD
answered as GET, the request-body guard (size limit, JSON only) and a last-resort handler that
turns any unexpected exception into a logged 500 problem."""

import logging
import re
import time
import uuid

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_MEDIA_TYPE, InvalidParam, Problem

access_logger = logging.getLogger("anales.access")
error_logger = logging.getLogger("anales.errors")

# Swagger UI and ReDoc are served from /static/docs; both run an inline bootstrap script,
# and ReDoc starts a web worker from a blob.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def valid_request_id(value: str) -> bool:
    """Accept a client's X-Request-ID when it is short and safe to log; else make a new one."""
    return REQUEST_ID_PATTERN.fullmatch(value) is not None


async def send_problem(send: Send, problem: Problem, headers: dict[str, str] | None = None) -> None:
    body = problem.model_dump_json(exclude_none=True).encode()
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class HttpMiddleware:
    """A middleware of HTTP requests (`handle`); anything else (the lifespan) passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


# What a request body may be: JSON (a PATCH body is a JSON merge patch, RFC 7396, and may say
# so), sent as it is. A body without Content-Type is read as JSON, as FastAPI reads it.
BODY_MEDIA_TYPES = ("application/json", "application/merge-patch+json")
BODY_ENCODINGS = ("identity",)


def _has_body(headers: Headers) -> bool:
    declared = headers.get("content-length")
    if declared is not None:
        return declared.strip() != "0"
    return "transfer-encoding" in headers


def _unsupported(path: str, header: str, reason: str) -> Problem:
    return Problem(
        type="/problems/unsupported-media-type",
        title="Unsupported Media Type",
        status=415,
        detail=f"Header '{header}': {reason}",
        instance=path,
        invalid_params=[InvalidParam(name=header, location="header", reason=reason)],
    )


def _encoding_problem(headers: Headers, path: str) -> Problem | None:
    codings = [
        coding.strip().lower()
        for value in headers.getlist("content-encoding")
        for coding in value.split(",")
        if coding.strip()
    ]
    refused = [coding for coding in codings if coding not in BODY_ENCODINGS]
    if not refused:
        return None
    reason = (
        f"'{', '.join(refused)}' is not accepted, only {' or '.join(BODY_ENCODINGS)}: "
        "send the body uncompressed."
    )
    return _unsupported(path, "Content-Encoding", reason)


def _media_type_problem(headers: Headers, path: str) -> Problem | None:
    declared = headers.get("content-type")
    if declared is None:
        return None
    media_type = declared.split(";", 1)[0].strip().lower()
    if media_type in BODY_MEDIA_TYPES:
        return None
    reason = (
        f"'{media_type}' is not accepted; send the body as JSON, {' or '.join(BODY_MEDIA_TYPES)}."
    )
    return _unsupported(path, "Content-Type", reason)


class RequestBodyMiddleware(HttpMiddleware):
    """Refuse, before routing, a request body the app would misread or should not read: 413
    for one over `max_bytes`, declared or streamed (a path that does not exist or never reads
    its body is refused all the same), and 415 for one that is not plain JSON. FastAPI reads
    any body as JSON text whatever its Content-Encoding, so a gzipped one failed as "not
    UTF-8", and hands a form or plain-text body to validation as a string ("Input should be
    a valid dictionary"); either way the client was told its data was wrong, not how it was
    sent. A request without a body passes untouched."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    def _too_large(self, path: str) -> Problem:
        return Problem(
            title="Content Too Large",
            status=413,
            detail=f"The request body is over {self.max_bytes} bytes.",
            instance=path,
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        if not _has_body(headers):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            # The server holds the body to its declared length.
            await send_problem(send, self._too_large(scope["path"]))
            return
        if declared is None:
            # A body of unknown length (chunked): read it, up to the limit, before the app runs.
            read = await self._read_up_to_limit(receive)
            if read is None:
                await send_problem(send, self._too_large(scope["path"]))
                return
            receive = _replay(read, receive)
        problem = _encoding_problem(headers, scope["path"])
        if problem is not None:
            await send_problem(send, problem, {"Accept-Encoding": ", ".join(BODY_ENCODINGS)})
            return
        problem = _media_type_problem(headers, scope["path"])
        if problem is not None:
            await send_problem(send, problem)
            return
        await self.app(scope, receive, send)

    async def _read_up_to_limit(self, receive: Receive) -> list[Message] | None:
        """The messages of a chunked body, or None once it is over the limit."""
        messages: list[Message] = []
        received = 0
        more_body = True
        while more_body:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                return None
            more_body = message.get("more_body", False)
        return messages


class HeadAsGetMiddleware(HttpMiddleware):
    """HEAD answered as the GET of the same URL with the body left out: the same status and
    headers (Content-Length, ETag, Content-Type…), on every GET route, /healthz included.

    FastAPI's routes take only the methods they name, and a HEAD route for each GET would
    double the OpenAPI document. The layers inside see a GET, so the response cache keeps
    and revalidates it as one; the layers outside (the access log) see the HEAD."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that gives `messages` first, then whatever the server sends next."""
    pending = list(messages)

    async def replaying() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replaying


class RateLimitMiddleware(HttpMiddleware):
    """Per-client moving-window limit (e.g. '120/minute'); 429 with Retry-After past it."""

    def __init__(self, app: ASGIApp, limit: str, exempt: tuple[str, ...] = ()) -> None:
        super().__init__(app)
        self.item: RateLimitItem = parse(limit)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.exempt = exempt

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        if self.limiter.hit(self.item, key):
            await self.app(scope, receive, send)
            return
        reset_at, _remaining = self.limiter.get_window_stats(self.item, key)
        retry_after = max(1, int(reset_at - time.time()) + 1)
        problem = Problem(
            type="/problems/rate-limited",
            title="Too Many Requests",
            status=429,
            detail=f"Over the limit of {self.item}; retry in {retry_after} s.",
            instance=scope["path"],
        )
        await send_problem(send, problem, {"Retry-After": str(retry_after)})


class EnvelopeMiddleware(HttpMiddleware):
    """What every answer gets, a preflight, a 429 or a 500 too: the security headers (unless
    the app set its own), and one access log line per request with its method, path, status
    and duration (the request id is added to every record by the logging filter)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        status = 500

        async def enveloped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message["headers"] = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in SECURITY_HEADERS if item[0] not in present)
            await send(message)

        try:
            await self.app(scope, receive, enveloped)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                _log_access(scope, status, time.perf_counter() - start)


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    access_logger.info(
        "%s %s %s",
        scope["method"],
        scope["path"],
        status,
        extra={
            "method": scope["method"],
            "path": scope["path"],
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        },
    )


class UnhandledErrorMiddleware(HttpMiddleware):
    """Innermost safety net: an exception no handler took becomes a 500 problem carrying an
    error id that is logged with the traceback; nothing else of the exception is sent."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:
                raise
            error_id = uuid.uuid4().hex
            error_logger.error(
                "unhandled error %s on %s",
                error_id,
                scope["path"],
                exc_info=exc,
                extra={"error_id": error_id},
            )
            problem = Problem(
                title="Internal Server Error",
                status=500,
                detail="An unexpected error occurred; it has been logged.",
                instance=scope["path"],
                error_id=error_id,
            )
            await send_problem(send, problem)
