"""Every domain of the service. Adding one is a new package with a `manifest.py` that
declares `DOMAIN`, and one line here."""

from __future__ import annotations

import importlib

from app.domain import Domain

# In the order of the OpenAPI document's tags.
DOMAIN_PACKAGES = (
    "system",
    "metrics",
    "auth",
    "jobs",
    "schedules",
    "files",
    "cleaning",
    "hlr",
    "imports",
    "exports",
    "encryption",
    "live_events",
    "phones",
    "voluum",
    "csv_jobs",
    "broadcasts",
    "offer_search",
    "smart_cleaning",
    "reg_search",
)


def load_domains() -> tuple[Domain, ...]:
    """Each package's manifest, imported when the application is built (not before)."""
    domains = []
    for package in DOMAIN_PACKAGES:
        declared = importlib.import_module(f"app.{package}.manifest").DOMAIN
        if not isinstance(declared, Domain):
            raise TypeError(f"app.{package}.manifest.DOMAIN is not a Domain")
        domains.append(declared)
    return tuple(domains)
