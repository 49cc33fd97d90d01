"""Reads one environment into Settings, collecting every problem before giving up.

Every default is the one its settings class declares: this module writes none of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote

import phonenumbers
from croniter import croniter

from app.settings import (
    ApiSettings,
    AwsSettings,
    BroadcastSettings,
    DatabaseSettings,
    JobSettings,
    LogFormat,
    MetricsSettings,
    PhoneSettings,
    Secret,
    ServerSettings,
    Settings,
    SettingsError,
    StorageSettings,
    VoluumSyncSettings,
)
from app.settings_integrations import IntegrationReader


def read_settings(environ: Mapping[str, str]) -> Settings:
    return _Reader(environ).settings()


_LOG_FORMATS: dict[str, LogFormat] = {"text": "text", "json": "json"}
# SQS refuses a longer long poll.
_SQS_MAX_WAIT_SECONDS = 20


# Variables of the old service that are set in existing deployments but mean nothing now.
_RETIRED = {
    "DB_ROOT": "exports are stored with every other file, under UPLOAD_ROOT (or in S3_BUCKET)",
    "STORAGE_DIR": "files are stored under UPLOAD_ROOT (or in S3_BUCKET)",
    "BACKEND_BASE_URL": "scheduled work runs inside the service, not through its HTTP API",
}


class _Reader(IntegrationReader):
    """Reads one environment, collecting every problem instead of stopping at the first."""

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
        voluum_sync = self._voluum_sync()
        ongage = self._ongage(notices)
        messagewhiz = self._messagewhiz(notices)
        broadcasts = self._broadcasts()
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
            voluum_sync=voluum_sync,
            ongage=ongage,
            messagewhiz=messagewhiz,
            broadcasts=broadcasts,
            hlr=hlr,
            encryption=encryption,
            notices=tuple(notices),
            ignored=tuple(
                f"{name} is no longer read: {why}"
                for name, why in _RETIRED.items()
                if self._get(name) is not None
            ),
        )

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

    def _voluum_sync(self) -> VoluumSyncSettings:
        default = VoluumSyncSettings()
        template = self._get("ONGAGE_EMAIL_TEMPLATE") or default.ongage_email_template
        if template.count("{phone}") != 1 or "@" not in template:
            self._errors.append("ONGAGE_EMAIL_TEMPLATE must hold {phone} once and an @")
            template = default.ongage_email_template
        countries = tuple(
            c.strip().upper()
            for c in (self._get("ONGAGE_COUNTRIES") or "GB").split(",")
            if c.strip()
        )
        for country in countries:
            if not re.fullmatch(r"[A-Z]{2}", country):
                self._errors.append(f"ONGAGE_COUNTRIES must be ISO country codes, got {country!r}")
        batch = self._int(
            "ONGAGE_BATCH_SIZE", default.ongage_batch_size, minimum=1, problems=self._errors
        )
        return VoluumSyncSettings(
            wait_seconds=self._seconds("VOLUUM_SYNC_WAIT_SECONDS", default.wait_seconds, minimum=0),
            conversions_cron=self._cron("VOLUUM_CONVERSIONS_CRON", default.conversions_cron),
            reports_cron=self._cron("VOLUUM_REPORTS_CRON", default.reports_cron),
            overlap_minutes=self._int(
                "VOLUUM_SYNC_OVERLAP_MINUTES",
                default.overlap_minutes,
                minimum=0,
                problems=self._errors,
            ),
            ongage_countries=countries,
            ongage_email_template=template,
            ongage_batch_size=min(batch, 100),
            push_max_retries=self._int(
                "ONGAGE_PUSH_MAX_RETRIES",
                default.push_max_retries,
                minimum=0,
                problems=self._errors,
            ),
        )

    def _broadcasts(self) -> BroadcastSettings:
        default = BroadcastSettings()
        currency = (self._get("MMD_COST_CURRENCY") or default.cost_currency).upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            self._errors.append(f"MMD_COST_CURRENCY must be an ISO currency code, got {currency!r}")
            currency = default.cost_currency
        return BroadcastSettings(
            daily_cron=self._cron("BROADCASTS_DAILY_CRON", default.daily_cron),
            cost_currency=currency,
            totals_cache_seconds=self._seconds(
                "BROADCAST_TOTALS_CACHE_SECONDS", default.totals_cache_seconds, minimum=0
            ),
            heartbeat_seconds=self._seconds(
                "BROADCAST_HEARTBEAT_SECONDS", default.heartbeat_seconds, minimum=1
            ),
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
