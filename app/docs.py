"""The docs pages, with their scripts and styles served by this service, never a CDN:
operators run it on closed networks.

Swagger UI's release build comes from the `swagger-ui-bundle-v2` package (renewed with
Swagger UI); its files are found through the distribution's file list, whatever the
version folder is called. No package ships ReDoc without a whole web framework, so the
docs are Swagger UI (at /schema and /schema/swagger) and the document as JSON and YAML.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler, get
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.params import FromPath
from litestar.response import File

DOCS_PATH = "/schema"
ASSETS_PATH = "/assets"

_DISTRIBUTION = "swagger-ui-bundle-v2"
# The files the page needs, by name under /schema/assets, with their media types.
_MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
_REQUIRED = ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css")


@functools.cache
def docs_assets() -> dict[str, tuple[Path, str]]:
    """The docs assets installed here: name -> (file, media type). Read once."""
    try:
        files = metadata.distribution(_DISTRIBUTION).files or []
    except metadata.PackageNotFoundError:
        return {}
    found: dict[str, tuple[Path, str]] = {}
    for file in files:
        if file.name in _MEDIA_TYPES and "swagger-ui-" in file.parent.name:
            path = Path(str(file.locate()))
            if path.is_file():
                found[file.name] = (path, _MEDIA_TYPES[file.name])
    return found


def assets_route(assets: Mapping[str, tuple[Path, str]]) -> HTTPRouteHandler:
    @get(
        f"{ASSETS_PATH}/{{name:str}}",
        # Library code, the same for every key: a browser may keep it for a day.
        cache_control=CacheControlHeader(max_age=86_400, private=True),
        sync_to_thread=False,
    )
    def docs_asset(name: FromPath[str]) -> File:
        """A script, style sheet or icon of the docs pages."""
        if name not in assets:
            raise NotFoundException(f"No docs asset {name!r}")
        path, media_type = assets[name]
        return File(path, filename=name, media_type=media_type, content_disposition_type="inline")

    return docs_asset


def render_plugins(assets: Mapping[str, object]) -> list[OpenAPIRenderPlugin]:
    """Swagger UI when its assets are installed (never from a CDN), also at /schema
    itself; JSON and YAML always."""
    url = f"{DOCS_PATH}{ASSETS_PATH}"
    plugins: list[OpenAPIRenderPlugin] = []
    if all(name in assets for name in _REQUIRED):
        favicon = (
            f"<link rel='icon' type='image/png' href='{url}/favicon-32x32.png'>"
            if "favicon-32x32.png" in assets
            else ""
        )
        plugins.append(
            SwaggerRenderPlugin(
                js_url=f"{url}/swagger-ui-bundle.js",
                css_url=f"{url}/swagger-ui.css",
                standalone_preset_js_url=f"{url}/swagger-ui-standalone-preset.js",
                favicon=favicon,
            )
        )
    return [*plugins, JsonRenderPlugin(), YamlRenderPlugin()]
