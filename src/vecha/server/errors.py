"""How the server answers bad input: a 4xx with a JSON body naming the problem
(`{"error": code, "message": text}`), never a 5xx."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vecha.errors import (
    ElectionError,
    InvalidBallot,
    InvalidEncoding,
    InvalidProof,
    RecordError,
    RegistrationRefused,
    SeatError,
    VechaError,
)
from vecha.store.tokens import AuthError

__all__ = ["ApiError", "install_error_handlers", "error_response", "classify", "is_ballot_submission"]


class ApiError(Exception):
    """A refusal; `retry_after` (seconds) is sent as a Retry-After header when the refusal
    is about load, not about the request."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def error_response(
    status: int,
    code: str,
    message: str,
    detail: list[dict[str, Any]] | None = None,
    retry_after: float | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return JSONResponse(body, status_code=status, headers=headers)


def classify(e: VechaError) -> tuple[int, str]:
    """The status and error code for an error raised by the core."""
    if isinstance(e, AuthError):
        return 403, "forbidden"
    if isinstance(e, RegistrationRefused):
        return e.status, e.code
    if isinstance(e, InvalidProof):
        return 422, "invalid-proof"
    if isinstance(e, InvalidEncoding):
        return 422, "invalid-encoding"
    if isinstance(e, InvalidBallot):
        return 422, "invalid-ballot"
    if isinstance(e, SeatError):
        return 422, "invalid-seats"
    if isinstance(e, RecordError | ElectionError):
        return 409, "rejected-by-board"
    return 400, "bad-request"


_HTTP_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def _plain(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors without the echoed input (which may be large or binary)."""
    return [
        {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors
    ]


def is_ballot_submission(method: str, path: str) -> bool:
    return method == "POST" and path.endswith("/ballots")


def install_error_handlers(app: FastAPI, rejected: Callable[[str], None]) -> None:
    """`rejected(code)` is told of every refused ballot submission."""

    def answer(
        request: Request, status: int, code: str, message: str, detail: Any = None, retry_after: float | None = None
    ) -> JSONResponse:
        if is_ballot_submission(request.method, request.url.path):
            rejected(code)
        return error_response(status, code, message, detail, retry_after)

    @app.exception_handler(ApiError)
    async def _api(request: Request, e: ApiError) -> JSONResponse:
        return answer(request, e.status, e.code, e.message, retry_after=e.retry_after)

    @app.exception_handler(VechaError)
    async def _core(request: Request, e: VechaError) -> JSONResponse:
        status, code = classify(e)
        return answer(request, status, code, str(e))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        errors = list(e.errors())
        if any(x.get("type") == "json_invalid" for x in errors):
            return answer(request, 400, "malformed-json", "the request body is not valid JSON")
        first = errors[0] if errors else {}
        if tuple(first.get("loc", ())) == ("body",) and first.get("type") == "model_attributes_type":
            message = "the request body must be a JSON object (send Content-Type: application/json)"
            return answer(request, 400, "malformed-json", message)
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return answer(request, 422, "invalid-request", f"{where}: {first.get('msg', 'invalid')}", _plain(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(e.status_code, "error")
        message = e.detail if isinstance(e.detail, str) else code
        return answer(request, e.status_code, code, message)
