"""Tables of the team features, on the shared ``metadata`` so migrations can create them.

Discord ids are snowflakes up to 2**63, hence ``BigInteger``. Times are stored in UTC; SQLite
hands them back naive, so readers pass them through ``bot.discuss.clock.as_utc``.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage.tables import metadata

server_settings = sa.Table(
    "server_settings",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("manager_role_id", sa.BigInteger, nullable=True),
    # Channel ids where Parley coaches; an empty list means every channel.
    sa.Column("coach_channel_ids", sa.JSON, nullable=False),
    sa.Column("ephemeral_answers", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

discussed_scenarios = sa.Table(
    "discussed_scenarios",
    metadata,
    sa.Column("channel_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("scenario_key", sa.String(300), primary_key=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("discussed_at", sa.DateTime(timezone=True), nullable=False),
)

discussion_schedules = sa.Table(
    "discussion_schedules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("channel_id", sa.BigInteger, nullable=False),
    sa.Column("every", sa.String(10), nullable=False),  # "day" or "week"
    sa.Column("at_time", sa.String(5), nullable=False),  # "HH:MM" in ``timezone``
    sa.Column("weekday", sa.Integer, nullable=True),  # 0 = Monday; weekly schedules only
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("topic", sa.String(200), nullable=True),
    sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("created_by", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

divergence_rounds = sa.Table(
    "divergence_rounds",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guild_id", sa.BigInteger, nullable=False),
    sa.Column("thread_id", sa.BigInteger, nullable=False),
    sa.Column("message_id", sa.BigInteger, nullable=True),  # the message with the buttons
    sa.Column("facilitator_id", sa.BigInteger, nullable=False),
    sa.Column("scenario_key", sa.String(300), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("scenario_text", sa.Text, nullable=False),
    sa.Column("counterpart", sa.String(100), nullable=True),
    # The prompt's questions ({"text", "move_id", "dimension"}), so the follow-up is a new one.
    sa.Column("questions", sa.JSON, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # "open" or "closed"
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
)

divergence_answers = sa.Table(
    "divergence_answers",
    metadata,
    sa.Column("round_id", sa.Integer, sa.ForeignKey("divergence_rounds.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
)

TABLES = (
    "server_settings",
    "discussed_scenarios",
    "discussion_schedules",
    "divergence_rounds",
    "divergence_answers",
)
