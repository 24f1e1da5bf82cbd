"""Prep-session tables, on the shared metadata so the migrations in ``bot.storage`` create them.

Portable types only (no SQLite-specific SQL): any SQLAlchemy async database works.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage.tables import metadata

prep_sessions = sa.Table(
    "prep_sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("owner", sa.String(100), nullable=False, index=True),
    sa.Column("counterpart", sa.String(200), nullable=False),
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("stage", sa.Integer, nullable=False, default=0),
    sa.Column("status", sa.String(16), nullable=False),
    # Cursor details that are not derivable from the answers: pending follow-ups, skips, scopes.
    sa.Column("state", sa.JSON, nullable=False),
    # Where the session is shown, e.g. "discord-thread:123"; empty for the terminal.
    sa.Column("channel", sa.String(100), nullable=False, default="", index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("warned_at", sa.DateTime(timezone=True), nullable=True),
)

prep_answers = sa.Table(
    "prep_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "session_id", sa.String(32), sa.ForeignKey("prep_sessions.id"), nullable=False, index=True
    ),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("question", sa.String(64), nullable=False),
    sa.Column("round", sa.Integer, nullable=False, default=0),
    sa.Column("follow_up", sa.Boolean, nullable=False, default=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reading", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

prep_ledger = sa.Table(
    "prep_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "session_id", sa.String(32), sa.ForeignKey("prep_sessions.id"), nullable=False, index=True
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("risk", sa.Text, nullable=False),
    sa.Column("bearer", sa.Text, nullable=False, default=""),
    sa.Column("mechanism", sa.Text, nullable=False, default=""),
    sa.Column("residual", sa.Text, nullable=False, default=""),
    sa.Column("bearer_kind", sa.String(32), nullable=False),
    sa.Column("mechanism_kind", sa.String(32), nullable=False),
    # The trust-audit round the row came from, if it started as a "they will…".
    sa.Column("assumption", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

prep_asked = sa.Table(
    "prep_asked",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "session_id", sa.String(32), sa.ForeignKey("prep_sessions.id"), nullable=False, index=True
    ),
    # A stage slot ("stakes/their_gains/0") or a follow-up ("follow-up:<id>").
    sa.Column("slot", sa.String(120), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("dimension", sa.String(32), nullable=False),
    sa.Column("move_id", sa.String(120), nullable=False),
    sa.Column("socratic_type", sa.String(32), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("passage", sa.Text, nullable=False),
    sa.Column("chunk_id", sa.String(200), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

TABLE_NAMES = ("prep_sessions", "prep_answers", "prep_ledger", "prep_asked")
