"""Reads one environment into Settings, collecting every problem before giving up.

Every default is the one its settings class declares: this module writes none of its own.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import phonenumbers
from croniter import croniter

from app.settings import (
    PROJECT_ROOT,
    ApiSettings,
    AwsSettings,
    DatabaseSettings,
    EncryptionSettings,
    HlrSettings,
    JobSettings,
    LogFormat,
    MessageWhizSettings,
    MetricsSettings,
    OngageSettings,
    PhoneSettings,
    Secret,
    ServerSettings,
    Settings,
    SettingsError,
    StorageSettings,
    VoluumSettings,
    decode_key,
)


def read_settings(environ: Mapping[str, str]) -> Settings:
    return _Reader(environ).settings()


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_LOG_FORMATS: dict[str, LogFormat] = {"text": "text", "json": "json"}
# A scheme and a host; the rest is the vendor's business.
_BASE_URL = re.compile(r"^https?://[^/\s]+\S*$", re.IGNORECASE)
# SQS refuses a longer long poll.
_SQS_MAX_WAIT_SECONDS = 20


def _default(group: type[Any], name: str) -> Any:
    """The default that a settings class with required fields declares for `name`."""
    return {f.name: f.default for f in fields(group)}[name]


# Variables of the old service that are set in existing deployments but mean nothing now.
_RETIRED = {
    "DB_ROOT": "exports are stored with every other file, under UPLOAD_ROOT (or in S3_BUCKET)",
    "STORAGE_DIR": "files are stored under UPLOAD_ROOT (or in S3_BUCKET)",
    "BACKEND_BASE_URL": "scheduled work runs inside the service, not through its HTTP API",
}


class _Reader:
    """Reads one environment, collecting every problem instead of stopping at the first."""

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

    def settings(self) -> Settings:
        server = self._server()
        api = self._api()
        jobs = self._jobs()
        metrics = self._metrics()
        phones = self._phones()
        database = self._database()
        storage = self._storage()
        notices: list[str] = []
        aws = self._aws(notices)
        voluum = self._voluum(notices)
        ongage = self._ongage(notices)
        messagewhiz = self._messagewhiz(notices)
        hlr = self._hlr(notices)
        encryption = self._encryption(notices)
        if self._errors:
            raise SettingsError(self._errors)
        return Settings(
            server=server,
            api=api,
            jobs=jobs,
            metrics=metrics,
            phones=phones,
            database=database,
            storage=storage,
            aws=aws,
            voluum=voluum,
            ongage=ongage,
            messagewhiz=messagewhiz,
            hlr=hlr,
            encryption=encryption,
            notices=tuple(notices),
            ignored=tuple(
                f"{name} is no longer read: {why}"
                for name, why in _RETIRED.items()
                if self._get(name) is not None
            ),
        )

    def _path(self, name: str, default: Path) -> Path:
        raw = self._get(name)
        if raw is None:
            return default
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def _server(self) -> ServerSettings:
        default = ServerSettings()
        raw_format = (self._get("LOG_FORMAT") or default.log_format).lower()
        log_format = _LOG_FORMATS.get(raw_format)
        if log_format is None:
            self._errors.append(f"LOG_FORMAT must be text or json, got {raw_format!r}")
            log_format = default.log_format
        log_level = (self._get("LOG_LEVEL") or default.log_level).upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            self._errors.append(
                f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
            )
            log_level = default.log_level
        port = self._int("PORT", default.port, minimum=1, problems=self._errors)
        if port > 65535:
            self._errors.append(f"PORT must be at most 65535, got {port}")
        return ServerSettings(
            host=self._get("HOST") or default.host,
            port=port,
            log_level=log_level,
            log_format=log_format,
            migrate_on_start=self._bool("MIGRATE_ON_START", default.migrate_on_start),
            first_key_file=self._path("FIRST_KEY_FILE", default.first_key_file),
        )

    def _phones(self) -> PhoneSettings:
        default = PhoneSettings()
        region = (self._get("DEFAULT_REGION") or default.default_region).upper()
        code = phonenumbers.country_code_for_region(region)  # 0 for an unknown region
        if code == 0:
            self._errors.append(f"DEFAULT_REGION must be an ISO country code, got {region!r}")
            return default
        return PhoneSettings(default_region=region, default_calling_code=str(code))

    def _storage(self) -> StorageSettings:
        default = StorageSettings()
        prefix = (self._get("S3_PREFIX") or default.s3_prefix).strip("/")
        return StorageSettings(
            upload_root=self._path("UPLOAD_ROOT", default.upload_root),
            s3_bucket=self._get("S3_BUCKET"),
            s3_prefix=f"{prefix}/" if prefix else "",
            # The standard AWS variables for a local endpoint (moto, MinIO, LocalStack).
            s3_endpoint_url=self._get("AWS_ENDPOINT_URL_S3") or self._get("AWS_ENDPOINT_URL"),
        )

    def _api(self) -> ApiSettings:
        default = ApiSettings()
        origins = tuple(
            o.strip() for o in (self._get("CORS_ORIGINS") or "").split(",") if o.strip()
        )
        for origin in origins:
            if origin != "*" and not re.match(r"^https?://[^/\s]+$", origin):
                self._errors.append(
                    f"CORS_ORIGINS entries must look like https://host[:port], got {origin!r}"
                )
        ttl = self._int(
            "STREAM_TOKEN_TTL_SECONDS",
            default.stream_token_ttl_seconds,
            minimum=10,
            problems=self._errors,
        )
        if ttl > 3600:
            self._errors.append(f"STREAM_TOKEN_TTL_SECONDS must be at most 3600, got {ttl}")
        return ApiSettings(
            cors_origins=origins,
            max_upload_bytes=self._int(
                "MAX_UPLOAD_BYTES", default.max_upload_bytes, minimum=1024, problems=self._errors
            ),
            max_json_bytes=self._int(
                "MAX_JSON_BYTES", default.max_json_bytes, minimum=1024, problems=self._errors
            ),
            docs_public=self._bool("DOCS_PUBLIC", default.docs_public),
            stream_token_ttl_seconds=ttl,
        )

    def _cron(self, name: str, default: str) -> str:
        expression = self._get(name) or default
        if not croniter.is_valid(expression):
            self._errors.append(f"{name} must be a cron expression, got {expression!r}")
            return default
        return expression

    def _jobs(self) -> JobSettings:
        default, errors = JobSettings(), self._errors
        return JobSettings(
            workers_enabled=self._bool("WORKERS_ENABLED", default.workers_enabled),
            scheduler_enabled=self._bool("SCHEDULER_ENABLED", default.scheduler_enabled),
            concurrency=self._int(
                "JOB_CONCURRENCY", default.concurrency, minimum=1, problems=errors
            ),
            lease_seconds=self._seconds("JOB_LEASE_SECONDS", default.lease_seconds, minimum=3),
            poll_seconds=self._seconds("JOB_POLL_SECONDS", default.poll_seconds, minimum=1),
            max_attempts=self._int(
                "JOB_MAX_ATTEMPTS", default.max_attempts, minimum=1, problems=errors
            ),
            retry_base_seconds=self._seconds(
                "JOB_RETRY_BASE_SECONDS", default.retry_base_seconds, minimum=0
            ),
            shutdown_grace_seconds=self._seconds(
                "JOB_SHUTDOWN_GRACE_SECONDS", default.shutdown_grace_seconds, minimum=0
            ),
            retention_days=self._int(
                "JOB_RETENTION_DAYS", default.retention_days, minimum=1, problems=errors
            ),
            purge_cron=self._cron("SCHEDULE_JOB_PURGE", default.purge_cron),
        )

    def _metrics(self) -> MetricsSettings:
        default = MetricsSettings()
        return MetricsSettings(
            public=self._bool("METRICS_PUBLIC", default.public),
            cache_seconds=self._seconds("METRICS_CACHE_SECONDS", default.cache_seconds, minimum=0),
        )

    def _database(self) -> DatabaseSettings:
        default = DatabaseSettings()
        pool_min = self._int("DB_POOL_MIN", default.pool_min, minimum=0, problems=self._errors)
        pool_max = self._int("DB_POOL_MAX", default.pool_max, minimum=1, problems=self._errors)
        if pool_max < pool_min:
            self._errors.append(
                f"DB_POOL_MAX ({pool_max}) must be at least DB_POOL_MIN ({pool_min})"
            )
        without_url = DatabaseSettings(
            embedded_dir=self._path("EMBEDDED_DB_DIR", default.embedded_dir),
            pool_min=pool_min,
            pool_max=pool_max,
            command_timeout=self._seconds("DB_COMMAND_TIMEOUT", default.command_timeout, minimum=1),
        )
        url = self._get("DATABASE_URL")
        if url is not None:
            if not re.match(r"^postgres(ql)?://", url):
                self._errors.append("DATABASE_URL must start with postgresql:// or postgres://")
            return replace(without_url, url=Secret(url))
        parts = {name: self._get(name) for name in ("DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD")}
        if not any(parts.values()):
            return without_url
        missing = [name for name in ("DB_HOST", "DB_NAME", "DB_USER") if not parts[name]]
        if missing:
            self._errors.append(
                f"{', '.join(missing)} must be set with DB_HOST (or use DATABASE_URL)"
            )
            return without_url
        port = self._int("DB_PORT", 5432, minimum=1, problems=self._errors)
        if port > 65535:
            self._errors.append(f"DB_PORT must be at most 65535, got {port}")
        password = parts["DB_PASSWORD"]
        credentials = quote(parts["DB_USER"] or "", safe="")
        if password:
            credentials += ":" + quote(password, safe="")
        database = quote(parts["DB_NAME"] or "", safe="")
        host = parts["DB_HOST"] or ""
        if host.startswith("/"):  # a Unix socket folder
            url = f"postgresql://{credentials}@/{database}?host={quote(host)}&port={port}"
        else:
            if ":" in host and not host.startswith("["):  # an IPv6 address
                host = f"[{host}]"
            url = f"postgresql://{credentials}@{host}:{port}/{database}"
        return replace(without_url, url=Secret(url))

    def _aws(self, notices: list[str]) -> AwsSettings:
        default = AwsSettings()
        key_id = self._get("AWS_ACCESS_KEY_ID")
        secret = self._get("AWS_SECRET_ACCESS_KEY")
        if bool(key_id) != bool(secret):
            # Not fatal: without explicit keys the standard chain (an instance role) applies.
            notices.append(
                "aws keys ignored: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together"
            )
            key_id = secret = None
        return AwsSettings(
            region=self._get("AWS_REGION"),
            access_key_id=Secret(key_id) if key_id else None,
            secret_access_key=Secret(secret) if secret else None,
            sqs_queue_url=self._get("SQS_QUEUE_URL"),
            sqs_endpoint_url=self._get("AWS_ENDPOINT_URL_SQS") or self._get("AWS_ENDPOINT_URL"),
            sqs_visibility_timeout=self._int(
                "SQS_VISIBILITY_TIMEOUT",
                default.sqs_visibility_timeout,
                minimum=10,
                problems=self._errors,
            ),
            sqs_wait_seconds=min(
                _SQS_MAX_WAIT_SECONDS,
                self._int(
                    "SQS_WAIT_SECONDS", default.sqs_wait_seconds, minimum=0, problems=self._errors
                ),
            ),
        )

    def _required(self, integration: str, names: tuple[str, ...], notices: list[str]) -> bool:
        missing = [name for name in names if self._get(name) is None]
        if missing:
            notices.append(f"{integration} disabled: {', '.join(missing)} not set")
            return False
        return True

    def _disabled(self, integration: str, problems: list[str], notices: list[str]) -> bool:
        """True, with one notice naming every problem, when the integration cannot run."""
        if problems:
            notices.append(f"{integration} disabled: {'; '.join(problems)}")
        return bool(problems)

    def _base_url(self, name: str, group: type[Any], field: str, problems: list[str]) -> str:
        raw = self._get(name)
        if raw is None:
            return str(_default(group, field))
        if not _BASE_URL.match(raw):
            # The value is not echoed: a proxy's URL may carry a password.
            problems.append(f"{name} must be a URL starting with http:// or https://")
        return raw.rstrip("/")

    def _voluum(self, notices: list[str]) -> VoluumSettings | None:
        if not self._required("voluum", ("VOLUUM_ACCESS_ID", "VOLUUM_ACCESS_KEY"), notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("VOLUUM_BASE_URL", VoluumSettings, "base_url", problems)
        if self._disabled("voluum", problems, notices):
            return None
        return VoluumSettings(
            access_id=self._get("VOLUUM_ACCESS_ID") or "",
            access_key=Secret(self._get("VOLUUM_ACCESS_KEY") or ""),
            base_url=base_url,
        )

    def _ongage(self, notices: list[str]) -> OngageSettings | None:
        names = ("LIST_ID", "X_USERNAME", "X_PASSWORD", "X_ACCOUNT_CODE")
        if not self._required("ongage", names, notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("ONGAGE_BASE_URL", OngageSettings, "base_url", problems)
        if self._disabled("ongage", problems, notices):
            return None
        return OngageSettings(
            list_id=self._get("LIST_ID") or "",
            username=self._get("X_USERNAME") or "",
            password=Secret(self._get("X_PASSWORD") or ""),
            account_code=self._get("X_ACCOUNT_CODE") or "",
            base_url=base_url,
        )

    def _messagewhiz(self, notices: list[str]) -> MessageWhizSettings | None:
        if not self._required("messagewhiz", ("MMD_API_KEY",), notices):
            return None
        problems: list[str] = []
        base_url = self._base_url("MESSAGEWHIZ_BASE_URL", MessageWhizSettings, "base_url", problems)
        if self._disabled("messagewhiz", problems, notices):
            return None
        return MessageWhizSettings(
            api_key=Secret(self._get("MMD_API_KEY") or ""), base_url=base_url
        )

    def _hlr(self, notices: list[str]) -> HlrSettings | None:
        if not self._required("hlr", ("HLRLOOKUP_APIKEY", "HLRLOOKUP_SECRET"), notices):
            return None
        problems: list[str] = []
        poll_max = self._int(
            "HLR_POLL_MAX_SECONDS",
            _default(HlrSettings, "poll_max_seconds"),
            minimum=1,
            problems=problems,
        )
        poll_every = self._int(
            "HLR_POLL_EVERY_SECONDS",
            _default(HlrSettings, "poll_every_seconds"),
            minimum=1,
            problems=problems,
        )
        api_base_url = self._base_url("HLR_API_BASE_URL", HlrSettings, "api_base_url", problems)
        batch_base_url = self._base_url(
            "HLR_BATCH_BASE_URL", HlrSettings, "batch_base_url", problems
        )
        if self._disabled("hlr", problems, notices):
            return None
        return HlrSettings(
            api_key=Secret(self._get("HLRLOOKUP_APIKEY") or ""),
            secret=Secret(self._get("HLRLOOKUP_SECRET") or ""),
            poll_max_seconds=poll_max,
            poll_every_seconds=poll_every,
            api_base_url=api_base_url,
            batch_base_url=batch_base_url,
        )

    def _encryption(self, notices: list[str]) -> EncryptionSettings | None:
        raw = self._get("AES_KEY")
        if raw is None:
            notices.append("encryption disabled: AES_KEY not set")
            return None
        try:
            key = decode_key(raw)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            key = b""
        if len(key) != 32:
            # Never echo the value: a near-miss key is still most of a secret.
            found = f"decodes to {len(key)} bytes" if key else "not base64"
            notices.append(
                f"encryption disabled: AES_KEY must be url-safe base64 of 32 bytes ({found})"
            )
            return None
        return EncryptionSettings(key=Secret(raw))
