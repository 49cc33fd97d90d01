"""What smart cleaning and REG search share (the offers, each file's search); its routes
are theirs."""

from __future__ import annotations

from app.domain import Domain
from app.offer_search.repository import OfferSearchRepository

DOMAIN = Domain(name="offer_search", repositories=(OfferSearchRepository,))
