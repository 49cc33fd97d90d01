from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from app.settings import (
    PROJECT_ROOT,
    ApiSettings,
    AwsSettings,
    DatabaseSettings,
    HlrSettings,
    JobSettings,
    PhoneSettings,
    ServerSettings,
    SettingsError,
    StorageSettings,
    load_settings,
)

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
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


INTEGRATIONS = {
    "VOLUUM_ACCESS_ID": "id",
    "VOLUUM_ACCESS_KEY": "voluum-secret",
    "LIST_ID": "1",
    "X_USERNAME": "u",
    "X_PASSWORD": "ongage-secret",
    "X_ACCOUNT_CODE": "acct",
    "MMD_API_KEY": "mmd-secret",
    "HLRLOOKUP_APIKEY": "k",
    "HLRLOOKUP_SECRET": "s",
}


def test_vendor_base_urls_default_to_the_public_apis() -> None:
    settings = load_settings(INTEGRATIONS)
    assert settings.voluum is not None
    assert settings.voluum.base_url == "https://api.voluum.com"
    assert settings.ongage is not None
    assert settings.ongage.base_url == "https://api.ongage.net"
    assert settings.messagewhiz is not None
    assert settings.messagewhiz.base_url == "https://sms.messagewhiz.com/api/3"
    assert settings.hlr is not None
    assert settings.hlr.api_base_url == "https://api.hlrlookup.com/apiv2"
    assert settings.hlr.batch_base_url == "https://batches.hlrlookup.com"
    assert not any("disabled" in n for n in settings.notices if not n.startswith("encryption"))


def test_vendor_base_urls_may_point_elsewhere_without_a_trailing_slash() -> None:
    settings = load_settings(
        {
            **INTEGRATIONS,
            "VOLUUM_BASE_URL": "http://localhost:9000/voluum/",
            "ONGAGE_BASE_URL": "https://proxy.internal/ongage",
            "MESSAGEWHIZ_BASE_URL": "https://sms.mmdsmart.com/api/3/",
            "HLR_API_BASE_URL": "https://testing.hlrlookup.com/apiv2/",
            "HLR_BATCH_BASE_URL": "http://127.0.0.1:8081",
        }
    )
    assert settings.voluum is not None
    assert settings.voluum.base_url == "http://localhost:9000/voluum"
    assert settings.ongage is not None
    assert settings.ongage.base_url == "https://proxy.internal/ongage"
    assert settings.messagewhiz is not None
    assert settings.messagewhiz.base_url == "https://sms.mmdsmart.com/api/3"
    assert settings.hlr is not None
    assert settings.hlr.api_base_url == "https://testing.hlrlookup.com/apiv2"
    assert settings.hlr.batch_base_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("variable", "integration"),
    [
        ("VOLUUM_BASE_URL", "voluum"),
        ("ONGAGE_BASE_URL", "ongage"),
        ("MESSAGEWHIZ_BASE_URL", "messagewhiz"),
        ("HLR_API_BASE_URL", "hlr"),
        ("HLR_BATCH_BASE_URL", "hlr"),
    ],
)
@pytest.mark.parametrize("url", ["ftp://user:hunter2@files.example", "api.voluum.com", "https://"])
def test_a_broken_base_url_disables_only_its_integration(
    variable: str, integration: str, url: str
) -> None:
    settings = load_settings({**INTEGRATIONS, variable: url})
    assert getattr(settings, integration) is None
    others = {"voluum", "ongage", "messagewhiz", "hlr"} - {integration}
    assert all(getattr(settings, other) is not None for other in others)
    notice = next(n for n in settings.notices if n.startswith(f"{integration} disabled"))
    assert f"{variable} must be a URL starting with http:// or https://" in notice
    assert "hunter2" not in notice


@pytest.mark.parametrize("list_id", ["abc", "12 3", "\uff14\uff13\uff12\uff11"])
def test_a_list_id_that_is_no_ongage_list_disables_ongage(list_id: str) -> None:
    settings = load_settings({**INTEGRATIONS, "LIST_ID": list_id})
    assert settings.ongage is None
    notice = next(n for n in settings.notices if n.startswith("ongage disabled"))
    assert "LIST_ID must be an Ongage list id (digits)" in notice


def test_hlr_names_every_problem_in_one_notice() -> None:
    settings = load_settings(
        {**INTEGRATIONS, "HLR_POLL_MAX_SECONDS": "0", "HLR_BATCH_BASE_URL": "batches"}
    )
    assert settings.hlr is None
    hlr_notices = [n for n in settings.notices if n.startswith("hlr")]
    assert hlr_notices == [
        "hlr disabled: HLR_POLL_MAX_SECONDS must be at least 1, got 0; "
        "HLR_BATCH_BASE_URL must be a URL starting with http:// or https://"
    ]


def test_without_its_secrets_an_integration_ignores_its_base_url() -> None:
    settings = load_settings({"VOLUUM_BASE_URL": "not a url"})
    assert settings.voluum is None
    assert "voluum disabled: VOLUUM_ACCESS_ID, VOLUUM_ACCESS_KEY not set" in settings.notices


def test_unset_variables_take_the_settings_classes_defaults() -> None:
    settings = load_settings({})
    assert settings.server == ServerSettings()
    assert settings.api == ApiSettings()
    assert settings.jobs == JobSettings()
    assert settings.phones == PhoneSettings()
    assert settings.database == DatabaseSettings()
    assert settings.storage == StorageSettings()
    assert settings.aws == AwsSettings()
    hlr = load_settings(INTEGRATIONS).hlr
    assert hlr is not None
    assert hlr == HlrSettings(api_key=hlr.api_key, secret=hlr.secret)


def test_the_default_region_sets_its_calling_code() -> None:
    assert load_settings({}).phones.default_calling_code == "44"
    french = load_settings({"DEFAULT_REGION": "fr"}).phones
    assert (french.default_region, french.default_calling_code) == ("FR", "33")
    with pytest.raises(SettingsError, match="DEFAULT_REGION must be an ISO country code"):
        load_settings({"DEFAULT_REGION": "XX"})


def test_whole_seconds_become_floats_and_are_still_validated() -> None:
    settings = load_settings({"JOB_LEASE_SECONDS": "90", "DB_COMMAND_TIMEOUT": "5"})
    assert settings.jobs.lease_seconds == 90.0
    assert settings.database.command_timeout == 5.0
    with pytest.raises(SettingsError) as caught:
        load_settings({"JOB_LEASE_SECONDS": "2", "JOB_POLL_SECONDS": "1.5"})
    assert caught.value.problems == [
        "JOB_LEASE_SECONDS must be at least 3, got 2",
        "JOB_POLL_SECONDS must be an integer, got '1.5'",
    ]


class _Recording(Mapping[str, str]):
    """An environment that remembers every variable asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def test_every_variable_read_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    asked: set[str] = set()
    for environ in (
        {**INTEGRATIONS, "DB_HOST": "h", "DB_NAME": "n", "DB_USER": "u"},
        {"DATABASE_URL": "postgresql://u@h/d", "AWS_ACCESS_KEY_ID": "a"},
    ):
        recording = _Recording(environ)
        load_settings(recording)
        asked |= recording.asked
    assert asked - documented == set()


def test_old_variables_that_mean_nothing_now_are_named_not_silently_dropped() -> None:
    settings = load_settings({"DB_ROOT": "/srv/exports", "STORAGE_DIR": "/srv/x"})
    assert settings.ignored == (
        "DB_ROOT is no longer read: exports are stored with every other file, under "
        "UPLOAD_ROOT (or in S3_BUCKET)",
        "STORAGE_DIR is no longer read: files are stored under UPLOAD_ROOT (or in S3_BUCKET)",
    )
    assert load_settings({}).ignored == ()
