from __future__ import annotations

import base64
import os

import pytest

from app.settings import SettingsError, load_settings

GOOD_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def test_defaults_run_with_the_embedded_database_and_every_integration_off() -> None:
    settings = load_settings({})
    assert settings.database.url is None
    assert settings.server.port == 8000
    assert settings.voluum is None
    assert settings.encryption is None
    assert "encryption disabled: AES_KEY not set" in settings.notices
    assert len(settings.notices) == 5


def test_old_db_variables_build_a_quoted_url() -> None:
    settings = load_settings(
        {"DB_HOST": "db.internal", "DB_NAME": "opt", "DB_USER": "app", "DB_PASSWORD": "p@ss:w/rd"}
    )
    assert settings.database.url is not None
    assert settings.database.url.reveal() == "postgresql://app:p%40ss%3Aw%2Frd@db.internal:5432/opt"


def test_database_url_wins_over_the_parts() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://a@h/d", "DB_HOST": "other"})
    assert settings.database.url is not None
    assert settings.database.url.reveal() == "postgresql://a@h/d"


def test_every_core_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {"PORT": "eighty", "LOG_FORMAT": "xml", "DB_HOST": "h", "MIGRATE_ON_START": "maybe"}
        )
    problems = caught.value.problems
    assert "PORT must be an integer, got 'eighty'" in problems
    assert "LOG_FORMAT must be text or json, got 'xml'" in problems
    assert "DB_NAME, DB_USER must be set with DB_HOST (or use DATABASE_URL)" in problems
    assert "MIGRATE_ON_START must be true or false, got 'maybe'" in problems


def test_a_bad_aes_key_disables_only_encryption_without_echoing_it() -> None:
    bad = "not-a-key-but-still-a-secret"
    settings = load_settings({"AES_KEY": bad, "MMD_API_KEY": "mmd-secret"})
    assert settings.encryption is None
    assert settings.messagewhiz is not None
    notice = next(n for n in settings.notices if n.startswith("encryption"))
    assert "must be url-safe base64 of 32 bytes" in notice
    assert bad not in notice


@pytest.mark.parametrize("key", [GOOD_KEY, GOOD_KEY + "=" * (-len(GOOD_KEY) % 4)])
def test_a_good_aes_key_with_or_without_padding_enables_encryption(key: str) -> None:
    settings = load_settings({"AES_KEY": key})
    assert settings.encryption is not None
    assert len(settings.encryption.key_bytes()) == 32


def test_a_key_of_the_wrong_length_is_refused() -> None:
    short = base64.urlsafe_b64encode(os.urandom(16)).decode()
    settings = load_settings({"AES_KEY": short})
    assert settings.encryption is None
    assert "decodes to 16 bytes" in " ".join(settings.notices)


def test_a_malformed_hlr_setting_disables_hlr_only() -> None:
    settings = load_settings(
        {"HLRLOOKUP_APIKEY": "k", "HLRLOOKUP_SECRET": "s", "HLR_POLL_EVERY_SECONDS": "often"}
    )
    assert settings.hlr is None
    assert any("HLR_POLL_EVERY_SECONDS must be an integer" in n for n in settings.notices)


def test_secrets_never_show_in_a_repr() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u:db-password@h/d",
            "VOLUUM_ACCESS_ID": "id",
            "VOLUUM_ACCESS_KEY": "voluum-secret",
            "AES_KEY": GOOD_KEY,
        }
    )
    text = repr(settings)
    for secret in ("db-password", "voluum-secret", GOOD_KEY):
        assert secret not in text


def test_the_environment_wins_over_the_env_file(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"  # type: ignore[operator]
    env_file.write_text("PORT=9000\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    settings = load_settings(env_file=env_file)
    assert settings.server.port == 9100
    assert settings.server.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("/var/run/postgresql", "postgresql://app@/opt?host=/var/run/postgresql&port=5432"),
        ("::1", "postgresql://app@[::1]:5432/opt"),
    ],
)
def test_db_host_may_be_a_socket_folder_or_ipv6(host: str, url: str) -> None:
    settings = load_settings({"DB_HOST": host, "DB_NAME": "opt", "DB_USER": "app"})
    assert settings.database.url is not None
    assert settings.database.url.reveal() == url


def test_db_port_must_be_a_port() -> None:
    with pytest.raises(SettingsError, match="DB_PORT must be at most 65535"):
        load_settings({"DB_HOST": "h", "DB_NAME": "n", "DB_USER": "u", "DB_PORT": "99999"})


def test_half_an_aws_key_pair_falls_back_to_the_credential_chain() -> None:
    settings = load_settings({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"})
    assert settings.aws.access_key_id is None
    assert any(n.startswith("aws keys ignored") for n in settings.notices)
