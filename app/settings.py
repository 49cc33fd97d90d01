"""Settings from the environment (and `.env` in development), grouped and frozen.

Problems come in two kinds. A broken core setting (the port, the database) stops start-up
with one line per problem. A missing or broken integration secret disables only that
integration: its group is `None`, one notice is logged, and its routes answer 503.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LogFormat = Literal["text", "json"]


class SettingsError(Exception):
    """The environment cannot run the service; `problems` has one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Secret:
    """A value that never shows itself in a repr, a log line or a traceback."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "0.0.0.0"  # noqa: S104 - a container listens on every interface
    port: int = 8000
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    migrate_on_start: bool = True
    # Where `serve` writes the first admin key when its output is not a terminal.
    first_key_file: Path = PROJECT_ROOT / ".data" / "first-admin-key"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    # Browser origins allowed to call the API (CORS); none by default.
    cors_origins: tuple[str, ...] = ()
    max_upload_bytes: int = 1024**3
    max_json_bytes: int = 1024**2
    docs_public: bool = False
    stream_token_ttl_seconds: int = 300


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    # GET /metrics (Prometheus) needs an admin key unless this is set: for a scraper that
    # reaches the service on a private port only.
    public: bool = False
    # How long GET /get-metrics serves the list counts it last read (per process); 0 reads
    # them on every call (concurrent calls still share one query).
    cache_seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class JobSettings:
    # Background loops are switched on by settings, so tests start only what they test.
    workers_enabled: bool = True
    scheduler_enabled: bool = True
    concurrency: int = 2
    lease_seconds: float = 60.0
    poll_seconds: float = 2.0
    max_attempts: int = 3
    retry_base_seconds: float = 5.0
    shutdown_grace_seconds: float = 3.0
    retention_days: int = 30
    # When finished jobs older than the retention are deleted (cron, UTC).
    purge_cron: str = "30 3 * * *"


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    # None means "no database configured": `optimizer serve` starts the embedded one.
    url: Secret | None = None
    embedded_dir: Path = PROJECT_ROOT / ".data" / "postgres"
    pool_min: int = 1
    pool_max: int = 10
    command_timeout: float = 60.0


@dataclass(frozen=True, slots=True)
class PhoneSettings:
    # National numbers ("07400 100001") are read as numbers of this region.
    default_region: str = "GB"
    default_calling_code: str = "44"


@dataclass(frozen=True, slots=True)
class StorageSettings:
    upload_root: Path = PROJECT_ROOT / "uploads"
    # With a bucket, files live in S3 under the prefix instead of the folders above.
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None


@dataclass(frozen=True, slots=True)
class AwsSettings:
    region: str | None = None
    # Optional: without them the standard credential chain (an instance role) is used.
    access_key_id: Secret | None = None
    secret_access_key: Secret | None = None
    sqs_queue_url: str | None = None
    sqs_endpoint_url: str | None = None
    # Longer than the slowest batch, so a message is not redelivered while being stored.
    sqs_visibility_timeout: int = 120
    sqs_wait_seconds: int = 20


@dataclass(frozen=True, slots=True)
class VoluumSettings:
    access_id: str
    access_key: Secret
    # Every base URL is a setting, so a sandbox, a proxy or a local fake can stand in.
    base_url: str = "https://api.voluum.com"
    # The traffic sources whose report feeds the lists (the old service hard-coded two).
    traffic_source_ids: tuple[str, ...] = ()
    # The zone reports are asked in (`tz`): conversion timestamps come back in it.
    timezone: str = "Etc/GMT"
    currency: str = "EUR"
    page_size: int = 10_000


@dataclass(frozen=True, slots=True)
class VoluumSyncSettings:
    """How the Voluum syncs run and push conversions; read with or without credentials."""

    # The single-window sync routes wait this long for their job, then answer 202.
    wait_seconds: float = 25.0
    conversions_cron: str = "*/5 * * * *"
    reports_cron: str = "30 0 * * *"
    # The conversions schedule re-reads this much before its watermark (harmless: a
    # conversion is stored once), so a late postback at an hour's end is not lost.
    overlap_minutes: int = 15
    # Conversions of these countries become Ongage contacts (the old code had GB only).
    ongage_countries: tuple[str, ...] = ("GB",)
    ongage_email_template: str = "+{phone}@yourmobile.com"
    # Ongage's guidance for its contacts call: about 20 contacts per request.
    ongage_batch_size: int = 20
    # A failed push is retried by the schedule at most this many times.
    push_max_retries: int = 5


@dataclass(frozen=True, slots=True)
class OngageSettings:
    list_id: str
    username: str
    password: Secret
    account_code: str
    base_url: str = "https://api.ongage.net"


@dataclass(frozen=True, slots=True)
class MessageWhizSettings:
    api_key: Secret
    base_url: str = "https://sms.messagewhiz.com/api/3"


@dataclass(frozen=True, slots=True)
class BroadcastSettings:
    """MessageWhiz broadcasts: the daily cost push and history, and the live stream."""

    # Yesterday's costs pushed to Voluum, then yesterday's history saved (UTC).
    daily_cron: str = "0 5 * * *"
    # The currency of MessageWhiz prices, as sent with each Voluum cost.
    cost_currency: str = "USD"
    # Voluum totals of a (campaign, window) are shared by every open stream this long.
    totals_cache_seconds: float = 60.0
    # A comment line this often keeps proxies from cutting a slow stream.
    heartbeat_seconds: float = 15.0


@dataclass(frozen=True, slots=True)
class HlrSettings:
    api_key: Secret
    secret: Secret
    poll_max_seconds: int = 18_000
    poll_every_seconds: int = 5
    # HLR Lookup serves its synchronous API and its batch API from two hosts.
    api_base_url: str = "https://api.hlrlookup.com/apiv2"
    batch_base_url: str = "https://batches.hlrlookup.com"
    # A lookup younger than this is reused, never paid for again.
    cache_days: int = 30
    # Up to this many numbers go through the synchronous API (80 a request); more make
    # one batch.
    sync_max_numbers: int = 80


@dataclass(frozen=True, slots=True)
class EncryptionSettings:
    key: Secret  # url-safe base64 of 32 bytes, validated at load

    def key_bytes(self) -> bytes:
        return decode_key(self.key.reveal())


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = ServerSettings()
    api: ApiSettings = ApiSettings()
    jobs: JobSettings = JobSettings()
    metrics: MetricsSettings = MetricsSettings()
    phones: PhoneSettings = PhoneSettings()
    database: DatabaseSettings = DatabaseSettings()
    storage: StorageSettings = StorageSettings()
    aws: AwsSettings = AwsSettings()
    voluum: VoluumSettings | None = None
    voluum_sync: VoluumSyncSettings = VoluumSyncSettings()
    ongage: OngageSettings | None = None
    messagewhiz: MessageWhizSettings | None = None
    broadcasts: BroadcastSettings = BroadcastSettings()
    hlr: HlrSettings | None = None
    encryption: EncryptionSettings | None = None
    # One line per disabled integration, logged once at start-up.
    notices: tuple[str, ...] = ()
    # One line per old variable that is set but no longer read, and why.
    ignored: tuple[str, ...] = ()

    def with_database_url(self, url: str) -> Settings:
        """The same settings pointing at another database (the embedded one, a test one)."""
        return replace(self, database=replace(self.database, url=Secret(url)))


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None
) -> Settings:
    """Read settings from `environ` (default: the process environment over `.env`)."""
    if environ is None:
        env_path = env_file or PROJECT_ROOT / ".env"
        file_values = {k: v for k, v in dotenv_values(env_path).items() if v is not None}
        environ = {**file_values, **os.environ}
    # Imported here: the reader builds the classes of this module.
    from app.settings_reader import read_settings

    return read_settings(environ)


def decode_key(value: str) -> bytes:
    """Url-safe base64 (standard `+/` accepted too), padding optional; no other characters."""
    padded = value + "=" * (-len(value) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
