"""The fake MessageWhiz and Voluum servers of scripts/, started on free ports for a test."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
FAKE_KEY = "fake-mmd-key"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def fake_upstreams(broadcasts: int = 12, campaigns: int = 4) -> Iterator[dict[str, str]]:
    """The environment that points the service at both fakes while they run."""
    messagewhiz = load_script("fake_messagewhiz").serve(
        0, key=FAKE_KEY, broadcasts=broadcasts, campaigns=campaigns
    )
    voluum = load_script("fake_voluum").serve(0)
    try:
        yield {
            "MMD_API_KEY": FAKE_KEY,
            "MESSAGEWHIZ_BASE_URL": f"http://127.0.0.1:{messagewhiz.server_port}/api/3",
            "VOLUUM_BASE_URL": f"http://127.0.0.1:{voluum.server_port}",
        }
    finally:
        messagewhiz.shutdown()
        voluum.shutdown()
        messagewhiz.server_close()
        voluum.server_close()
