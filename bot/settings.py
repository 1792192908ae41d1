"""Configuration: one validated object built from the environment (or ``.env``).

The names are the operators' contract, listed in the README's Configuration table: extend it,
never rename. A missing or malformed setting stops start-up with one line naming it (see
:func:`load_settings`).
"""

from __future__ import annotations

import os
import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import normalise_url

Locale = Literal["bg", "en"]


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///./chopni.db"
    chopni_api_url: str | None = None
    chopni_api_token: SecretStr | None = None
    chopni_webhook_secret: SecretStr | None = None
    admin_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    default_locale: Locale = "bg"
    default_timezone: str = "Europe/Sofia"
    reminder_hour: int = Field(default=9, ge=0, le=23)
    admin_chat_id: int | None = None
    log_level: str = "INFO"
    #: the sandbox marketplace verifies a COMPLETE order's delivery after this many seconds
    sandbox_verify_delay: float = Field(default=60.0, ge=0)
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    #: how long what a crashed process held (messages in flight, the Telegram poller) waits
    #: before another process, or the restarted one, takes it over; unset = 60 s and 30 s
    lease_seconds: float | None = Field(default=None, ge=1)
    #: the public https:// root Telegram clients reach this listener at; set = the Mini App at
    #: {PUBLIC_URL}/app/ is offered (chat menu button, "Open board" buttons)
    public_url: str | None = None
    #: how many worker processes read relayed files side by side; unset = min(2, CPU count)
    scan_workers: int | None = Field(default=None, ge=1, le=32)

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        return normalise_url(value)

    @field_validator("telegram_api_url", "chopni_api_url", "telegram_webhook_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None if value == "" else value
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _https_root(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith("https://"):
            raise ValueError("must start with https:// (Telegram opens Mini Apps over HTTPS only)")
        return value.rstrip("/")

    @property
    def board_url(self) -> str | None:
        """Where Telegram opens the order board, or None when it is not offered."""
        return f"{self.public_url}/app/" if self.public_url else None

    @property
    def scan_pool_size(self) -> int:
        """The relay's scanning workers: as set, else one per core up to two."""
        return self.scan_workers or min(2, os.cpu_count() or 1)

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("chopni_webhook_secret")
    @classmethod
    def _whsec(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must start with whsec_")
        return value

    @model_validator(mode="after")
    def _marketplace_needs_secret(self) -> Settings:
        if self.chopni_api_url and self.chopni_webhook_secret is None:
            raise ValueError("CHOPNI_WEBHOOK_SECRET is required when CHOPNI_API_URL is set")
        return self

    @model_validator(mode="after")
    def _telegram_webhook_needs_secret(self) -> Settings:
        # Without it every update would be refused at POST /telegram: a bot that starts deaf.
        secret = self.telegram_webhook_secret
        if self.telegram_webhook_url and (secret is None or not secret.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
        return self

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters: A-Z, a-z, 0-9, _ and -.
        secret = value.get_secret_value() if value is not None else ""
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def uses_sandbox(self) -> bool:
        return not self.chopni_api_url

    def require_bot_token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError("BOT_TOKEN is required: set it to the token from @BotFather")
        token = self.bot_token.get_secret_value().strip()
        if ":" not in token:
            raise SettingsError("BOT_TOKEN is malformed: expected '<digits>:<secret>'")
        return token


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message}" if error["loc"] else message)
        raise SettingsError("; ".join(lines)) from None
