"""What the built-in sandbox marketplace keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SandboxRecord(Base):
    """The built-in sandbox marketplace's own state (orders, messages, idempotent answers)."""

    __tablename__ = "sandbox_records"
    __table_args__ = (Index("ix_sandbox_records_kind_parent", "kind", "parent"),)

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class SandboxFile(Base):
    """Bytes uploaded to the sandbox marketplace."""

    __tablename__ = "sandbox_files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
