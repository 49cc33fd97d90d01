"""The OpenAPI document, made to tell the truth, and docs pages that need no CDN.

- `ErrorBody` is the one error shape (app/errors.py). `DocumentResponses`, a plugin,
  puts it on every operation for each status that operation can really answer with,
  decided from the handler's own facts: its access, parameters, body, method and return
  type. It also says what streams send, and that stream routes take `?token=`.
- `StrictBodies`, a plugin, says `additionalProperties: false` of request bodies that
  refuse unknown fields (`app.schemas.Input`), which Litestar does not.
- `openapi_config` puts it at /schema, with the docs pages of `app.docs`, protected like
  the API unless DOCS_PUBLIC says otherwise.

Why fill each handler's `responses` rather than edit the finished document: Litestar
builds the document lazily from the handlers and has no hook after it is built;
`responses` with `ResponseSpec` is its public way to state a status's body, and a
`ResponseSpec` replaces Litestar's own entry for that status (its 400 has another shape,
and it documents a streamed download as JSON). A `ReceiveRoutePlugin` gets each route
registered and parsed, with the parameters the router will validate, which is exactly
what the rules need, and before the document is first built.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import msgspec

# Litestar's own schema for msgspec Structs; StrictBodies only adds to what it makes.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, Schema, SecurityRequirement, SecurityScheme, Tag
from litestar.plugins import PluginProtocol, ReceiveRoutePlugin
from litestar.response import ServerSentEvent, Stream
from litestar.router import Router
from litestar.routes import BaseRoute, HTTPRoute
from litestar.typing import FieldDefinition

from app import __version__
from app.auth.guards import access_for
from app.docs import DOCS_PATH, assets_route, docs_assets, render_plugins
from app.errors import _HTTP_CODES, AppError
from app.files.schemas import ProcessingStarted
from app.log import SAFE_METHODS
from app.settings import Settings
from app.system.schemas import Readiness

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


# --- The error body ---------------------------------------------------------------------


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    """One invalid input (Litestar's validation message): what is wrong, which field, where."""

    message: str
    key: str | msgspec.UnsetType = msgspec.UNSET
    source: Literal["body", "query", "path", "header", "cookie"] | msgspec.UnsetType = msgspec.UNSET


class ErrorBody(msgspec.Struct, frozen=True, omit_defaults=True):
    """Every error: a message for people, a code for programs, the request's id (also the
    X-Request-ID header); `errors` only when the input failed validation."""

    detail: str
    code: str
    request_id: str
    errors: list[FieldError] | msgspec.UnsetType = msgspec.UNSET


# Component names, and what each status means in this service.
_STATUSES: Mapping[int, tuple[str, str]] = {
    400: (
        "BadRequestError",
        "Invalid input: `errors` lists each invalid field (code `validation_error`); "
        "or input the service cannot take, such as a file that is not text (`bad_request`).",
    ),
    401: ("UnauthorizedError", "No API key, or an unknown or revoked one."),
    403: ("ForbiddenError", "The key's scope does not allow this operation."),
    404: (
        "NotFoundError",
        "Nothing by that id (or the id is malformed), or its stored file is missing.",
    ),
    409: ("ConflictError", "The change conflicts with the current state."),
    413: (
        "PayloadTooLargeError",
        "The body is larger than MAX_JSON_BYTES (uploads: MAX_UPLOAD_BYTES).",
    ),
    415: (
        "UnsupportedMediaTypeError",
        "Uploads take multipart/form-data; every other route with a body, application/json.",
    ),
    502: (
        "UpstreamError",
        "A vendor (Voluum, Ongage, ...) answered an error or could not be reached, after "
        "retries; or the job doing the work failed for good.",
    ),
    503: (
        "UnavailableError",
        "The database cannot be reached, or an integration this route needs is not configured.",
    ),
    504: ("UpstreamTimeoutError", "A vendor did not answer in time, after retries."),
}


def _app_errors(base: type[AppError] = AppError) -> Iterator[type[AppError]]:
    for sub in base.__subclasses__():
        yield sub
        yield from _app_errors(sub)


def error_codes(status: int) -> list[str]:
    """Every `code` an error of this status is sent with: the domain errors' and those
    app/errors.py gives Litestar's own exceptions."""
    codes = {cls.code for cls in _app_errors() if cls.status_code == status}
    if status in _HTTP_CODES:
        codes.add(_HTTP_CODES[status])
    if status == 400:
        codes.add("validation_error")
    return sorted(codes)


@functools.cache
def error_body(status: int) -> type[ErrorBody]:
    """`ErrorBody` with `code` restricted to the codes this status is sent with.

    Made on first use, once the controllers (and so every domain error) are imported;
    one type per status, so that each is one component of the document.
    """
    name, _ = _STATUSES[status]
    code: Any = Literal[tuple(error_codes(status))]
    body = msgspec.defstruct(
        name, [("code", code)], bases=(ErrorBody,), frozen=True, omit_defaults=True
    )
    return cast("type[ErrorBody]", body)


def error_response(status: int, description: str | None = None) -> ResponseSpec:
    """The documented error body of `status`; a handler can declare one itself with it."""
    return ResponseSpec(
        data_container=error_body(status),
        description=description or _STATUSES[status][1],
        generate_examples=False,
    )


# --- Which responses an operation has ---------------------------------------------------


def _declared(method: str, path: str) -> dict[int, ResponseSpec]:
    """What no rule can read from a handler: an error its service raises, or a body of its
    own. Keyed by the legacy contract's paths, which do not change. Better still, each
    handler says it with `responses={409: error_response(409)}`; then these entries go.
    """
    if (method, path) == ("POST", "/api-keys"):
        return {409: error_response(409, "A live key already has this name.")}
    if (method, path) == ("GET", "/ready"):
        return {
            503: ResponseSpec(
                data_container=Readiness,
                description="The database is unreachable, or migrations are pending.",
                generate_examples=False,
            )
        }
    return {}


# Stream routes also take a stream token in the URL (app/auth/guards.py).
STREAM_SECURITY: list[SecurityRequirement] = [{"ApiKey": []}, {"Bearer": []}, {"StreamToken": []}]


# `kwargs_model` below is Litestar's KwargsModel for a handler, from the public
# `HTTPRoute.route_handler_map`: what the router parses and validates for it.


def _takes_body(kwargs_model: Any) -> bool:
    return bool(
        kwargs_model.expected_form_data
        or kwargs_model.expected_msgpack_data
        or kwargs_model.expected_data_dto
        or "data" in kwargs_model.expected_reserved_kwargs
    )


def _takes_parameters(kwargs_model: Any) -> bool:
    return bool(
        kwargs_model.expected_path_params
        or kwargs_model.expected_query_params
        or kwargs_model.expected_header_params
        or kwargs_model.expected_cookie_params
    )


def _returns(handler: HTTPRouteHandler, kind: type) -> bool:
    return handler.parsed_fn_signature.return_type.is_subclass_of(kind)


def error_statuses(handler: HTTPRouteHandler, route: HTTPRoute, kwargs_model: Any) -> set[int]:
    """The error statuses one handler can answer with, from its own facts.

    `kwargs_model` is what the router parses for the handler, its dependencies'
    parameters included: a parameter or a body it validates can be invalid.
    """
    access = access_for(handler)
    statuses: set[int] = set()
    if not access.public:
        # The guard looks the key up in the database: without one, the answer is 503.
        statuses |= {401, 503}
        if access.scope != "read":  # every key has at least `read`
            statuses.add(403)
    if _takes_parameters(kwargs_model) or _takes_body(kwargs_model):
        statuses.add(400)
    if any(param.type is not str for param in route.path_parameters.values()):
        # An id of a type (uuid): an unknown one, or the router's answer to a malformed one.
        statuses.add(404)
    if _returns(handler, Stream) and not _returns(handler, ServerSentEvent):
        statuses.add(404)  # a download whose stored object is missing
    if set(handler.http_methods) - SAFE_METHODS:
        statuses.add(415)  # media_type_guard looks at every unsafe method
    if _takes_body(kwargs_model):
        statuses.add(413)
    if _returns(handler, ProcessingStarted):
        # Every process route answers ProcessingStarted, and starting is the one
        # transition of the file lifecycle that can be illegal (FileService.start_processing).
        statuses.add(409)
    return statuses


class ServerSentEventFrame(msgspec.Struct, frozen=True):
    """One event of a stream as an EventSource parses it: OpenAPI tools (schemathesis)
    check each event against this, not against the raw text."""

    data: str = ""
    # "message" for an unnamed event.
    event: str = "message"
    id: str | None = None
    retry: int | None = None


def _success_response(handler: HTTPRouteHandler) -> ResponseSpec | None:
    """Litestar documents streams as JSON; say what they really send."""
    if _returns(handler, ServerSentEvent):
        return ResponseSpec(
            data_container=ServerSentEventFrame,
            media_type="text/event-stream",
            description="Server-Sent Events",
            generate_examples=False,
        )
    if _returns(handler, Stream):
        # The service streams one kind of download, CSV (csv_download in
        # app/files/controller.py); a handler streaming anything else says so in `media_type`.
        return ResponseSpec(
            data_container=str,
            media_type=handler.media_type or "text/csv",
            description="The file, as an attachment (Content-Disposition names it)",
            generate_examples=False,
        )
    return None


def document_handler(handler: HTTPRouteHandler, route: HTTPRoute, kwargs_model: Any) -> None:
    """Set the handler's documented responses; what it declares itself stays."""
    responses: dict[int, ResponseSpec] = {
        status: error_response(status)
        for status in sorted(error_statuses(handler, route, kwargs_model))
    }
    if (success := _success_response(handler)) is not None:
        responses[handler.status_code] = success
    for method in handler.http_methods:
        responses.update(_declared(method, route.path_format or "/"))
    responses.update(handler.responses or {})
    handler.responses = responses
    if access_for(handler).stream and handler.security is None:
        handler.security = STREAM_SECURITY


def document_route(route: BaseRoute) -> None:
    """Document the responses of every handler of one route."""
    if not isinstance(route, HTTPRoute):
        return
    # One (handler, kwargs model) per method; a handler serving several is seen once.
    seen: set[int] = set()
    for handler, kwargs_model in route.route_handler_map.values():
        if id(handler) in seen or not handler.resolve_include_in_schema():
            continue
        seen.add(id(handler))
        document_handler(handler, route, kwargs_model)


class DocumentResponses(ReceiveRoutePlugin):
    """Documents each operation's real responses as its route is registered."""

    def receive_route(self, route: BaseRoute) -> None:
        document_route(route)


class StrictBodies(StructSchemaPlugin):
    """Request bodies that refuse unknown fields say so (`additionalProperties: false`)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and bool(
            field_definition.type_.__struct_config__.forbid_unknown_fields
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema


def openapi_plugins() -> list[PluginProtocol]:
    """The plugins that make the document tell the truth; pass them to `Litestar`."""
    return [DocumentResponses(), StrictBodies()]


SECURITY_SCHEMES = {
    "ApiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
    "Bearer": SecurityScheme(type="http", scheme="bearer", description="The same API key"),
    "StreamToken": SecurityScheme(
        type="apiKey",
        name="token",
        security_scheme_in="query",
        description="Stream routes only: a token from POST /auth/stream-token (read scope).",
    ),
}


def openapi_config(settings: Settings, tags: Sequence[Tag]) -> OpenAPIConfig:
    """The document's config: one tag per domain, the key schemes, self-hosted docs pages."""
    assets = docs_assets()
    return OpenAPIConfig(
        title="optimizer",
        version=__version__,
        description="Phone-list hygiene for SMS and ad-traffic operations.",
        tags=list(tags),
        # Each handler's docstring is its operation's description: what it does, its
        # rules (an end-exclusive range, say) where the frontend's developers read them.
        use_handler_docstrings=True,
        path=DOCS_PATH,
        components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        security=[{"ApiKey": []}, {"Bearer": []}],
        render_plugins=render_plugins(assets),
        # The docs and their assets are protected like any route unless DOCS_PUBLIC says
        # otherwise; they are not operations of the API, so not in its document.
        openapi_router=Router(
            path=DOCS_PATH,
            route_handlers=[assets_route(assets)],
            opt={"public": settings.api.docs_public},
            include_in_schema=False,
        ),
    )
