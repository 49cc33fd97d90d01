"""Reads one environment into Settings, collecting every problem before giving up."""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from croniter import croniter

from app.phones.normalize import calling_code
from app.settings import (
    DEFAULT_DB_ROOT,
    DEFAULT_EMBEDDED_DIR,
    DEFAULT_FIRST_KEY_FILE,
    DEFAULT_HOST,
    DEFAULT_UPLOAD_ROOT,
    PROJECT_ROOT,
    ApiSettings,
    AwsSettings,
    DatabaseSettings,
    EncryptionSettings,
    HlrSettings,
    JobSettings,
    MessageWhizSettings,
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

    def _int(self, name: str, default: int, *, minimum: int, problems: list[str]) -> int:
        raw = self._get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{name} must be an integer, got {raw!r}")
            return default
        if value < minimum:
            problems.append(f"{name} must be at least {minimum}, got {value}")
            return default
        return value

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
        phones = self._phones()
        database = self._database()
        storage = self._storage()
        notices: list[str] = []
        aws = self._aws(notices)
        integrations = {
            "voluum": self._voluum(notices),
            "ongage": self._ongage(notices),
            "messagewhiz": self._messagewhiz(notices),
            "hlr": self._hlr(notices),
            "encryption": self._encryption(notices),
        }
        if self._errors:
            raise SettingsError(self._errors)
        return Settings(
            server=server,
            api=api,
            jobs=jobs,
            phones=phones,
            database=database,
            storage=storage,
            aws=aws,
            notices=tuple(notices),
            **integrations,
        )

    def _path(self, name: str, default: Path) -> Path:
        raw = self._get(name)
        if raw is None:
            return default
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def _server(self) -> ServerSettings:
        log_format = (self._get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            self._errors.append(f"LOG_FORMAT must be text or json, got {log_format!r}")
            log_format = "text"
        log_level = (self._get("LOG_LEVEL") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            self._errors.append(
                f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
            )
            log_level = "INFO"
        port = self._int("PORT", 8000, minimum=1, problems=self._errors)
        if port > 65535:
            self._errors.append(f"PORT must be at most 65535, got {port}")
        return ServerSettings(
            host=self._get("HOST") or DEFAULT_HOST,
            port=port,
            log_level=log_level,
            log_format=log_format,  # type: ignore[arg-type]
            migrate_on_start=self._bool("MIGRATE_ON_START", True),
            first_key_file=self._path("FIRST_KEY_FILE", DEFAULT_FIRST_KEY_FILE),
        )

    def _phones(self) -> PhoneSettings:
        region = (self._get("DEFAULT_REGION") or "GB").upper()
        try:
            code = calling_code(region)
        except ValueError:
            self._errors.append(f"DEFAULT_REGION must be an ISO country code, got {region!r}")
            return PhoneSettings()
        return PhoneSettings(default_region=region, default_calling_code=code)

    def _storage(self) -> StorageSettings:
        prefix = (self._get("S3_PREFIX") or "").strip("/")
        return StorageSettings(
            upload_root=self._path("UPLOAD_ROOT", DEFAULT_UPLOAD_ROOT),
            db_root=self._path("DB_ROOT", DEFAULT_DB_ROOT),
            s3_bucket=self._get("S3_BUCKET"),
            s3_prefix=f"{prefix}/" if prefix else "",
            # The standard AWS variables for a local endpoint (moto, MinIO, LocalStack).
            s3_endpoint_url=self._get("AWS_ENDPOINT_URL_S3") or self._get("AWS_ENDPOINT_URL"),
        )

    def _api(self) -> ApiSettings:
        origins = tuple(
            o.strip() for o in (self._get("CORS_ORIGINS") or "").split(",") if o.strip()
        )
        for origin in origins:
            if origin != "*" and not re.match(r"^https?://[^/\s]+$", origin):
                self._errors.append(
                    f"CORS_ORIGINS entries must look like https://host[:port], got {origin!r}"
                )
        ttl = self._int("STREAM_TOKEN_TTL_SECONDS", 300, minimum=10, problems=self._errors)
        if ttl > 3600:
            self._errors.append(f"STREAM_TOKEN_TTL_SECONDS must be at most 3600, got {ttl}")
        return ApiSettings(
            cors_origins=origins,
            max_upload_bytes=self._int(
                "MAX_UPLOAD_BYTES", 1024**3, minimum=1024, problems=self._errors
            ),
            max_json_bytes=self._int(
                "MAX_JSON_BYTES", 1024**2, minimum=1024, problems=self._errors
            ),
            docs_public=self._bool("DOCS_PUBLIC", False),
            stream_token_ttl_seconds=ttl,
        )

    def _cron(self, name: str, default: str) -> str:
        expression = self._get(name) or default
        if not croniter.is_valid(expression):
            self._errors.append(f"{name} must be a cron expression, got {expression!r}")
            return default
        return expression

    def _jobs(self) -> JobSettings:
        errors = self._errors
        return JobSettings(
            workers_enabled=self._bool("WORKERS_ENABLED", True),
            scheduler_enabled=self._bool("SCHEDULER_ENABLED", True),
            concurrency=self._int("JOB_CONCURRENCY", 2, minimum=1, problems=errors),
            lease_seconds=float(self._int("JOB_LEASE_SECONDS", 60, minimum=3, problems=errors)),
            poll_seconds=float(self._int("JOB_POLL_SECONDS", 2, minimum=1, problems=errors)),
            max_attempts=self._int("JOB_MAX_ATTEMPTS", 3, minimum=1, problems=errors),
            retry_base_seconds=float(
                self._int("JOB_RETRY_BASE_SECONDS", 5, minimum=0, problems=errors)
            ),
            shutdown_grace_seconds=float(
                self._int("JOB_SHUTDOWN_GRACE_SECONDS", 3, minimum=0, problems=errors)
            ),
            retention_days=self._int("JOB_RETENTION_DAYS", 30, minimum=1, problems=errors),
            purge_cron=self._cron("SCHEDULE_JOB_PURGE", "30 3 * * *"),
        )

    def _database(self) -> DatabaseSettings:
        pool_min = self._int("DB_POOL_MIN", 1, minimum=0, problems=self._errors)
        pool_max = self._int("DB_POOL_MAX", 10, minimum=1, problems=self._errors)
        if pool_max < pool_min:
            self._errors.append(
                f"DB_POOL_MAX ({pool_max}) must be at least DB_POOL_MIN ({pool_min})"
            )
        common = {
            "embedded_dir": self._path("EMBEDDED_DB_DIR", DEFAULT_EMBEDDED_DIR),
            "pool_min": pool_min,
            "pool_max": pool_max,
            "command_timeout": float(
                self._int("DB_COMMAND_TIMEOUT", 60, minimum=1, problems=self._errors)
            ),
        }
        url = self._get("DATABASE_URL")
        if url is not None:
            if not re.match(r"^postgres(ql)?://", url):
                self._errors.append("DATABASE_URL must start with postgresql:// or postgres://")
            return DatabaseSettings(url=Secret(url), **common)
        parts = {name: self._get(name) for name in ("DB_HOST", "DB_NAME", "DB_USER", "DB_PASSWORD")}
        if not any(parts.values()):
            return DatabaseSettings(**common)
        missing = [name for name in ("DB_HOST", "DB_NAME", "DB_USER") if not parts[name]]
        if missing:
            self._errors.append(
                f"{', '.join(missing)} must be set with DB_HOST (or use DATABASE_URL)"
            )
            return DatabaseSettings(**common)
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
        return DatabaseSettings(url=Secret(url), **common)

    def _aws(self, notices: list[str]) -> AwsSettings:
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
                "SQS_VISIBILITY_TIMEOUT", 120, minimum=10, problems=self._errors
            ),
            sqs_wait_seconds=min(
                20, self._int("SQS_WAIT_SECONDS", 20, minimum=0, problems=self._errors)
            ),
        )

    def _required(self, integration: str, names: tuple[str, ...], notices: list[str]) -> bool:
        missing = [name for name in names if self._get(name) is None]
        if missing:
            notices.append(f"{integration} disabled: {', '.join(missing)} not set")
            return False
        return True

    def _voluum(self, notices: list[str]) -> VoluumSettings | None:
        if not self._required("voluum", ("VOLUUM_ACCESS_ID", "VOLUUM_ACCESS_KEY"), notices):
            return None
        return VoluumSettings(
            access_id=self._get("VOLUUM_ACCESS_ID") or "",
            access_key=Secret(self._get("VOLUUM_ACCESS_KEY") or ""),
        )

    def _ongage(self, notices: list[str]) -> OngageSettings | None:
        names = ("LIST_ID", "X_USERNAME", "X_PASSWORD", "X_ACCOUNT_CODE")
        if not self._required("ongage", names, notices):
            return None
        return OngageSettings(
            list_id=self._get("LIST_ID") or "",
            username=self._get("X_USERNAME") or "",
            password=Secret(self._get("X_PASSWORD") or ""),
            account_code=self._get("X_ACCOUNT_CODE") or "",
        )

    def _messagewhiz(self, notices: list[str]) -> MessageWhizSettings | None:
        if not self._required("messagewhiz", ("MMD_API_KEY",), notices):
            return None
        return MessageWhizSettings(api_key=Secret(self._get("MMD_API_KEY") or ""))

    def _hlr(self, notices: list[str]) -> HlrSettings | None:
        if not self._required("hlr", ("HLRLOOKUP_APIKEY", "HLRLOOKUP_SECRET"), notices):
            return None
        problems: list[str] = []
        poll_max = self._int("HLR_POLL_MAX_SECONDS", 18_000, minimum=1, problems=problems)
        poll_every = self._int("HLR_POLL_EVERY_SECONDS", 5, minimum=1, problems=problems)
        if problems:
            notices.append(f"hlr disabled: {'; '.join(problems)}")
            return None
        return HlrSettings(
            api_key=Secret(self._get("HLRLOOKUP_APIKEY") or ""),
            secret=Secret(self._get("HLRLOOKUP_SECRET") or ""),
            poll_max_seconds=poll_max,
            poll_every_seconds=poll_every,
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
