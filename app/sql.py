"""SQL kept in files: `sql/<domain>/<name>.sql`, one statement each, named `:params`.

The files are plain SQL that psql can run too (`psql -v phone="'447400100001'" -f ...`
fills `:phone` the same way). They are read once at start-up; a broken file, or a query a
repository declares but no file provides, stops start-up instead of failing a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.settings import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"

# The lexical pieces that may contain a colon or a semicolon without meaning a
# parameter or the end of a statement; matched first so they are skipped as a whole.
_TOKENS = re.compile(
    r"""
      (?P<estring>[Ee]'(?:[^'\\]|\\.|'')*')
    | (?P<squote>'(?:[^']|'')*')
    | (?P<dquote>"(?:[^"]|"")*")
    | (?P<comment>--[^\n]*)
    | (?P<block>/\*.*?\*/)
    | (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?\$(?P=tag)?\$)
    | (?P<positional>\$[0-9]+)
    | (?P<cast>::)
    | (?<![A-Za-z0-9_\]]):(?P<param>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<semicolon>;)
    """,
    re.VERBOSE | re.DOTALL,
)
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


class QueryLoadError(Exception):
    """The SQL folder cannot serve the application; `problems` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Query:
    """One statement, rewritten for asyncpg (`:name` → `$n`), with its parameter order."""

    name: str
    source: Path
    sql: str
    params: tuple[str, ...]
    writes: bool

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for `values`; every parameter exactly once."""
        missing = [p for p in self.params if p not in values]
        unknown = [k for k in values if k not in self.params]
        if missing or unknown:
            raise TypeError(f"query {self.name}: missing {missing}, unexpected {unknown}")
        return [values[p] for p in self.params]


def parse_query(name: str, source: Path, text: str) -> Query:
    """Rewrite one file's statement; raises ValueError when it is not exactly one."""
    params: list[str] = []
    pieces: list[str] = []
    position = 0
    trailing = ""
    for match in _TOKENS.finditer(text):
        if match.lastgroup == "semicolon":
            trailing = text[match.end() :]
            break
        if match.lastgroup == "positional":
            raise ValueError(f"use :named parameters, not {match.group()}")
        if match.lastgroup == "param":
            param = match.group("param")
            if param not in params:
                params.append(param)
            pieces += [text[position : match.start()], f"${params.index(param) + 1}"]
            position = match.end()
    else:
        match = None
    pieces.append(text[position : match.start() if match else len(text)])
    sql = "".join(pieces).strip()
    if _strip_comments(trailing).strip():
        raise ValueError("more than one statement (only one per file)")
    if not _strip_comments(sql).strip():
        raise ValueError("the file holds no statement")
    code = _strip_literals(sql)
    return Query(
        name=name, source=source, sql=sql, params=tuple(params), writes=bool(_WRITE.search(code))
    )


def _strip_comments(sql: str) -> str:
    return _TOKENS.sub(lambda m: "" if m.lastgroup in ("comment", "block") else m[0], sql)


def _strip_literals(sql: str) -> str:
    """The statement without comments, strings and quoted names: its keywords only."""
    skipped = ("comment", "block", "estring", "squote", "dquote", "dollar")
    return _TOKENS.sub(lambda m: " " if m.lastgroup in skipped else m[0], sql)


class SqlQueries:
    """Every query of the `sql/` folder, by domain and name."""

    def __init__(self, queries: Mapping[tuple[str, str], Query]) -> None:
        self._queries = dict(queries)

    @classmethod
    def load(cls, root: Path, required: Iterable[tuple[str, str]] = ()) -> SqlQueries:
        """Read `root/<domain>/<name>.sql`; check that every `required` pair exists."""
        problems: list[str] = []
        queries: dict[tuple[str, str], Query] = {}
        for path in sorted(root.glob("*/*.sql")):
            domain, name = path.parent.name, path.stem
            if not (_NAME.fullmatch(domain) and _NAME.fullmatch(name)):
                problems.append(f"{path}: domain and file names must be snake_case")
                continue
            try:
                queries[domain, name] = parse_query(name, path, path.read_text("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: {exc}")
        for domain, name in sorted(set(required)):
            if (domain, name) not in queries:
                problems.append(f"{root / domain / name}.sql: missing (a repository uses it)")
        if problems:
            raise QueryLoadError(problems)
        return cls(queries)

    def get(self, domain: str, name: str) -> Query:
        return self._queries[domain, name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)
