from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from app.db import Repository
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
    assert query.args({"q": 2, "phone": "447700900001"}) == ["447700900001", 2]


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


def test_every_query_a_repository_declares_exists() -> None:
    sql = SqlQueries.load(SQL_DIR, Repository.required_queries())
    assert len(sql) >= len(Repository.required_queries())


async def test_every_sql_file_prepares_against_the_migrated_schema(
    conn: asyncpg.Connection,
) -> None:
    # Catches a typo in a column or table name at test time, not in production.
    failures = []
    for query in SqlQueries.load(SQL_DIR):
        try:
            await conn.prepare(query.sql)
        except asyncpg.PostgresError as exc:
            failures.append(f"{query.source}: {exc}")
    assert failures == []
