"""Prometheus metrics: what operators watch on ``GET /metrics``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

WEBHOOKS = Counter(
    "chopni_webhooks_total",
    "Marketplace webhooks received, by outcome",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "chopni_webhook_seconds", "Time to verify and store a webhook", registry=REGISTRY
)
EVENTS = Counter(
    "chopni_events_processed_total",
    "Marketplace events processed, by type",
    ["type"],
    registry=REGISTRY,
)
MARKETPLACE_DELIVERIES = Counter(
    "chopni_marketplace_deliveries_total",
    "Outbox deliveries to the marketplace, by kind and outcome",
    ["kind", "outcome"],
    registry=REGISTRY,
)
MARKETPLACE_SECONDS = Histogram(
    "chopni_marketplace_request_seconds",
    "Marketplace request latency",
    ["kind"],
    registry=REGISTRY,
)
TELEGRAM_SENDS = Counter(
    "chopni_telegram_sends_total",
    "Bot API sends from the outbox, by method and outcome",
    ["method", "outcome"],
    registry=REGISTRY,
)
TELEGRAM_SECONDS = Histogram(
    "chopni_telegram_send_seconds", "Bot API send latency", registry=REGISTRY
)
UPDATES = Counter("chopni_telegram_updates_total", "Telegram updates handled", registry=REGISTRY)
ERRORS = Counter(
    "chopni_errors_total",
    "Unexpected errors, by where they happened",
    ["where"],
    registry=REGISTRY,
)
