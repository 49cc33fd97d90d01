"""Walks the whole route table: nothing but the public routes answers without a valid key.

A new route is protected by default; making one public means adding it to PUBLIC below,
so an unprotected route cannot slip in unnoticed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import httpx
import pytest
from litestar import Litestar

from app.auth.guards import access_for
from app.auth.keys import generate_key
from app.auth.schemas import Scope

PUBLIC = {("GET", "/"), ("GET", "/health"), ("GET", "/ready")}
# POSTs that change no data and that a read-only key may therefore call.
READ_ONLY_POSTS = {("POST", "/auth/stream-token"), ("POST", "/find_records")}
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_SAMPLES = {uuid.UUID: str(uuid.uuid4()), int: "1", date: "2026-01-15", datetime: "2026-01-15"}


def _operations(app: Litestar) -> list[tuple[str, str, Scope, bool]]:
    """(method, concrete path, scope needed, public) for every operation of the app."""
    operations = []
    for route in app.routes:
        path = route.path_format.format(
            **{
                name: _SAMPLES.get(definition.type, "sample")
                for name, definition in route.path_parameters.items()
            }
        )
        for handler in getattr(route, "route_handlers", []):
            access = access_for(handler)
            for method in sorted(handler.http_methods):
                operations.append((method, path, access.scope, access.public))
    return operations


def test_only_the_probes_and_the_name_are_public(app: Litestar) -> None:
    public = {(method, path) for method, path, _, is_public in _operations(app) if is_public}
    assert public == PUBLIC


async def test_every_other_operation_answers_401_without_a_valid_key(
    app: Litestar, anonymous: httpx.AsyncClient
) -> None:
    unknown = generate_key().key  # well formed, never stored
    failures = []
    for method, path, _, is_public in _operations(app):
        if is_public:
            continue
        for headers in ({}, {"X-API-Key": unknown}, {"Authorization": "Bearer nonsense"}):
            response = await anonymous.request(method, path, headers=headers)
            if response.status_code != 401:
                failures.append((method, path, headers, response.status_code))
    assert failures == []


def test_only_the_listed_posts_are_open_to_read_only_keys(app: Litestar) -> None:
    read_posts = {
        (method, path)
        for method, path, scope, _ in _operations(app)
        if method not in _READ_METHODS and scope == "read"
    }
    assert read_posts == READ_ONLY_POSTS


async def test_every_mutation_answers_403_to_a_read_only_key(
    app: Litestar, anonymous: httpx.AsyncClient, keys: dict[Scope, str]
) -> None:
    failures = []
    mutations = [
        (method, path)
        for method, path, scope, is_public in _operations(app)
        if not is_public and method not in _READ_METHODS and (method, path) not in READ_ONLY_POSTS
    ]
    assert mutations  # the walk would prove nothing without them
    for method, path in mutations:
        response = await anonymous.request(method, path, headers={"X-API-Key": keys["read"]})
        if response.status_code != 403:
            failures.append((method, path, response.status_code))
    assert failures == []


@pytest.mark.parametrize("scope", ["read", "write"])
async def test_admin_operations_refuse_lesser_scopes(
    app: Litestar, anonymous: httpx.AsyncClient, keys: dict[Scope, str], scope: Scope
) -> None:
    admin_operations = [
        (method, path)
        for method, path, needed, _ in _operations(app)
        if needed == "admin" and method != "OPTIONS"
    ]
    assert admin_operations
    for method, path in admin_operations:
        response = await anonymous.request(method, path, headers={"X-API-Key": keys[scope]})
        assert response.status_code == 403, (method, path)
