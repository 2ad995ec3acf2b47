"""API: offers, availability, public provider page and free slots."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from skod.accounts.auth import require_provider
from skod.accounts.models import Provider
from skod.catalog import services
from skod.catalog.models import ACTION_STATUS, Offer
from skod.catalog.schemas import (
    AvailabilitySchema,
    OfferCreateSchema,
    OfferSchema,
    PublicProviderSchema,
    SlotQuerySchema,
    SlotSchema,
)
from skod.core.clock import utcnow
from skod.core.errors import NotFound
from skod.extensions import db

blp = Blueprint("catalog_api", __name__, description="Offers, availability and slots")


@blp.post("/offers")
@blp.arguments(OfferCreateSchema)
@blp.response(201, OfferSchema)
def create_offer(data: dict):
    return services.create_offer(require_provider(), data)


@blp.put("/offers/<int:offer_id>")
@blp.arguments(OfferCreateSchema)
@blp.response(200, OfferSchema)
def update_offer(data: dict, offer_id: int):
    """New terms (the kind stays); bookings already made keep theirs."""
    return services.update_offer(require_provider(), offer_id, data)


@blp.post("/offers/<int:offer_id>/<any(pause, resume, archive):action>")
@blp.response(200, OfferSchema)
def offer_status(offer_id: int, action: str):
    """Pause (not bookable), resume, or archive (gone from the public page for good)."""
    return services.set_offer_status(require_provider(), offer_id, ACTION_STATUS[action])


@blp.get("/offers")
@blp.response(200, OfferSchema(many=True))
def my_offers():
    provider = require_provider()
    return db.session.scalars(select(Offer).where(Offer.provider_id == provider.id))


@blp.put("/availability")
@blp.arguments(AvailabilitySchema)
@blp.response(200, AvailabilitySchema)
def put_availability(data: dict):
    return services.set_availability(require_provider(), data)


@blp.get("/providers/<slug>")
@blp.response(200, PublicProviderSchema)
def public_provider(slug: str):
    provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
    if provider is None:
        raise NotFound("provider not found")
    return provider


@blp.get("/offers/<int:offer_id>/slots")
@blp.arguments(SlotQuerySchema, location="query")
@blp.response(200, SlotSchema(many=True))
def slots(query: dict, offer_id: int):
    offer = services.bookable_offer(offer_id, "call")  # a message offer has no slots
    return services.offer_slots(offer, query["from_"], query["to"], utcnow())
