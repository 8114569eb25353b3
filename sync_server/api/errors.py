"""Every error answers ``{"detail": "<French>", "code": "<stable code>"}`` (docs/protocol.md)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync_server.text import shown

log = logging.getLogger("sync_server")

_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("Requête invalide : corps JSON illisible.", "invalid"),
    401: ("Authentification requise.", "invalid_token"),
    403: ("Accès refusé.", "forbidden"),
    404: ("Adresse inconnue du serveur.", "not_found"),
    405: ("Méthode non autorisée pour cette adresse.", "method_not_allowed"),
    409: ("Conflit avec l'état du serveur.", "conflict"),
    413: ("Requête trop volumineuse.", "too_large"),
    415: ("Format de requête non pris en charge.", "unsupported_media_type"),
    426: ("Application trop ancienne : faites la mise à jour.", "client_too_old"),
    429: ("Trop de tentatives : réessayez plus tard.", "rate_limited"),
}


class ApiError(StarletteHTTPException):
    """An HTTP error with a French ``detail`` and a stable ``code``."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        code: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.code = code
        self.extra = extra or {}


def error_body(detail: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, **extra}


def error_response(
    status: int,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(detail, code, **(extra or {})), status_code=status, headers=headers
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    default_detail, default_code = _DEFAULTS.get(exc.status_code, ("Erreur.", "error"))
    detail = exc.detail if isinstance(exc, ApiError) else default_detail
    code = getattr(exc, "code", default_code)
    extra = getattr(exc, "extra", None)
    return error_response(
        exc.status_code, str(detail), code, dict(exc.headers or {}) or None, extra
    )


def _place(loc: tuple[Any, ...]) -> str:
    parts = [shown(part) for part in loc if part not in ("body", "query", "header", "path")]
    return ".".join(parts) or "corps"


_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "json_invalid": "JSON illisible",
    "string_type": "texte attendu",
    "string_too_long": "texte trop long",
    "string_too_short": "texte vide",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "list_type": "liste attendue",
    "dict_type": "objet JSON attendu",
    "model_attributes_type": "objet JSON attendu",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "too_long": "trop d'éléments",
}


def _message(error: dict[str, Any]) -> str:
    """French; our own validators' messages are French and never quote the input."""
    if error.get("type") == "value_error":
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], str):
            return cause.args[0]
    return _MESSAGES.get(error.get("type", ""), "valeur invalide")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 kept, with a French sentence; the offending input is never echoed back."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    problems = [
        _place(tuple(error.get("loc", ()))) + " : " + _message(error) for error in errors[:5]
    ]
    detail = "Requête invalide — " + " ; ".join(problems) + "."
    fields = [
        {"loc": [shown(p) for p in error.get("loc", ())], "type": error.get("type")}
        for error in errors[:20]
    ]
    return JSONResponse(error_body(detail, "invalid", errors=fields), status_code=422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Erreur interne sur %s %s", request.method, request.url.path)
    return error_response(500, "Erreur interne du serveur : réessayez plus tard.", "server_error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
