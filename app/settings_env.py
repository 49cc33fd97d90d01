"""Reading typed values out of one environment, collecting every problem on the way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.settings import PROJECT_ROOT

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_of(group: type[Any], name: str) -> Any:
    """The default that a settings class with required fields declares for `name`."""
    return {f.name: f.default for f in fields(group)}[name]


class EnvReader:
    """One environment's variables as typed values; problems collect in `_errors`."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._env = environ
        self._errors: list[str] = []

    def _get(self, name: str) -> str | None:
        value = self._env.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def _parse_int(self, name: str, *, minimum: int, problems: list[str]) -> int | None:
        """The variable as an integer; None when it is unset or broken (one problem then)."""
        raw = self._get(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name} must be an integer, got {raw!r}")
            return None
        if value < minimum:
            problems.append(f"{name} must be at least {minimum}, got {value}")
            return None
        return value

    def _int(self, name: str, default: int, *, minimum: int, problems: list[str]) -> int:
        value = self._parse_int(name, minimum=minimum, problems=problems)
        return default if value is None else value

    def _seconds(self, name: str, default: float, *, minimum: int) -> float:
        """Whole seconds in the environment, a float in the settings."""
        value = self._parse_int(name, minimum=minimum, problems=self._errors)
        return default if value is None else float(value)

    def _bool(self, name: str, default: bool) -> bool:
        raw = self._get(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        self._errors.append(f"{name} must be true or false, got {raw!r}")
        return default

    def _path(self, name: str, default: Path) -> Path:
        raw = self._get(name)
        if raw is None:
            return default
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path
