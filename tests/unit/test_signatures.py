"""A marketplace delivery is believed only with a good, fresh Standard Webhooks signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sync.signatures import Signatures
from tests.integration.test_webhook_receiver import SECRET, event, signed


def _now() -> datetime:
    """Read at each test, not at collection: a suite that runs longer than the signatures'
    five minutes of tolerance would find a collection-time moment stale."""
    return datetime.now(UTC)


def test_a_good_signature_gives_the_delivery_id() -> None:
    body = event("evt_good")
    assert Signatures(SECRET).verified_id(body, signed(body, "evt_good", _now())) == "evt_good"


def test_a_changed_body_is_refused() -> None:
    headers = signed(event("evt_1"), "evt_1", _now())
    assert Signatures(SECRET).verified_id(event("evt_2"), headers) is None


def test_another_secret_is_refused() -> None:
    body = event()
    other = "whsec_" + "b3RoZXItb3RoZXItb3RoZXItb3RoZXI="
    assert Signatures(SECRET).verified_id(body, signed(body, "evt_1", _now(), other)) is None


def test_a_stale_or_missing_signature_is_refused() -> None:
    body = event()
    stale = signed(body, "evt_1", _now() - timedelta(hours=1))
    assert Signatures(SECRET).verified_id(body, stale) is None
    assert Signatures(SECRET).verified_id(body, {"webhook-id": "evt_1"}) is None
