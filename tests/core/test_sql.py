from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import asyncpg
import pytest

import app
from app.db import Repository, required_queries
from app.domains import load_domains
from app.sql import SQL_DIR, QueryLoadError, SqlQueries, parse_query


def test_named_parameters_become_positional_once_each() -> None:
    query = parse_query(
        "find",
        Path("find.sql"),
        "-- :not_a_param in a comment\n"
        "SELECT a::int, ':nor_in_a_string', \"col:umn\" FROM t "
        "WHERE p = :phone AND q = :q OR r = :phone;\n",
    )
    assert query.params == ("phone", "q")
    assert "p = $1 AND q = $2 OR r = $1" in query.sql
    assert "a::int" in query.sql
    assert query.args({"q": 2, "phone": "447400100001"}) == ["447400100001", 2]


def test_arguments_must_match_the_parameters_exactly() -> None:
    query = parse_query("q", Path("q.sql"), "SELECT :a")
    with pytest.raises(TypeError):
        query.args({})
    with pytest.raises(TypeError):
        query.args({"a": 1, "b": 2})


@pytest.mark.parametrize("text", ["SELECT 1; SELECT 2", "-- nothing here\n", "SELECT 1;;"])
def test_a_file_holds_exactly_one_statement(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked by the loader test
        parse_query("q", Path("q.sql"), text)


def test_a_broken_or_missing_file_fails_loading_with_every_problem(tmp_path: Path) -> None:
    (tmp_path / "things").mkdir()
    (tmp_path / "things" / "two.sql").write_text("SELECT 1; SELECT 2;")
    (tmp_path / "things" / "ok.sql").write_text("SELECT 1")
    with pytest.raises(QueryLoadError) as caught:
        SqlQueries.load(tmp_path, required=[("things", "ok"), ("things", "gone")])
    problems = caught.value.problems
    assert any("two.sql: more than one statement" in p for p in problems)
    assert any("gone.sql: missing" in p for p in problems)
    assert len(problems) == 2


def _all_repositories() -> set[type[Repository]]:
    for module in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(module.name)
    found, pending = set(), [Repository]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__.startswith("app."):
                found.add(subclass)
                pending.append(subclass)
    return found


# What start-up checks: every repository a domain's manifest declares.
REPOSITORIES = tuple(r for domain in load_domains() for r in domain.repositories)


def test_every_repository_is_checked_at_start_up() -> None:
    # A repository missing from every manifest would find its missing SQL file mid-request.
    assert _all_repositories() == set(REPOSITORIES)


def test_every_sql_file_is_used_by_a_repository() -> None:
    files = {(q.source.parent.name, q.name) for q in SqlQueries.load(SQL_DIR)}
    assert files == required_queries(REPOSITORIES)


@pytest.mark.parametrize(
    ("text", "params", "kept"),
    [
        ("SELECT $fn1$ :not $fn1$, :a", ("a",), "$fn1$ :not $fn1$"),
        ("SELECT $$ it's :not $$, :a", ("a",), "$$ it's :not $$"),
        ("SELECT E'it\\'s :not', :a", ("a",), "E'it\\'s :not'"),
        ("SELECT 'it''s :not', :a", ("a",), "'it''s :not'"),
        ("SELECT /* :not; */ :a", ("a",), "/* :not; */"),
        ("SELECT arr[lo:hi], arr[1:n], ARRAY[:a]", ("a",), "arr[lo:hi], arr[1:n]"),
    ],
)
def test_parameters_are_found_outside_literals_only(
    text: str, params: tuple[str, ...], kept: str
) -> None:
    query = parse_query("q", Path("q.sql"), text)
    assert query.params == params
    assert kept in query.sql


def test_positional_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="use :named parameters"):
        parse_query("q", Path("q.sql"), "SELECT $1, :a")


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("SELECT 1", False),
        ("SELECT 'INSERT INTO x' AS a -- UPDATE", False),
        ("INSERT INTO t (a) VALUES (:a)", True),
        ("WITH x AS (UPDATE t SET a = 1 RETURNING a) SELECT a FROM x", True),
    ],
)
def test_writes_are_told_from_reads(text: str, writes: bool) -> None:
    assert parse_query("q", Path("q.sql"), text).writes is writes


async def test_every_sql_file_prepares_against_the_migrated_schema(
    conn: asyncpg.Connection,
) -> None:
    # Catches a typo in a column or table name at test time, not in production. The
    # staging tables some statements read are created first, as their repositories do.
    queries = list(SqlQueries.load(SQL_DIR))
    for query in queries:
        if query.name.startswith("create_") and query.name.endswith("_staging"):
            await conn.execute(query.sql)
    failures = []
    for query in queries:
        try:
            await conn.prepare(query.sql)
        except asyncpg.PostgresError as exc:
            failures.append(f"{query.source}: {exc}")
    assert failures == []
