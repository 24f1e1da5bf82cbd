"""When abandoned sessions are deleted, and the rule that their owner is told first.

A session idle for ``idle`` is deleted, but never before its owner was warned and had
``warning`` to react: after a long outage the warning comes first and deletion waits.
Finished sessions never expire: they hold a brief someone may want again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.prep.models import FINISHED, PrepSession


@dataclass(frozen=True, slots=True)
class ExpiryPolicy:
    """Idle time before deletion, and how long before it the owner is warned."""

    idle: timedelta
    warning: timedelta

    def applies(self, session: PrepSession) -> bool:
        """Only unfinished sessions expire."""
        return session.status != FINISHED

    def warn_from(self, session: PrepSession) -> datetime:
        """When the warning falls due."""
        return session.updated_at + max(self.idle - self.warning, timedelta(0))

    def expires_at(self, session: PrepSession) -> datetime | None:
        """When the session will be deleted if nobody touches it (None: never)."""
        if not self.applies(session):
            return None
        warned = session.warned_at or self.warn_from(session)
        return max(session.updated_at + self.idle, warned + self.warning)

    def expiring(self, session: PrepSession, now: datetime) -> bool:
        """Inside the warning window: front ends mark it in listings."""
        return self.applies(session) and now >= self.warn_from(session)

    def due_warning(self, session: PrepSession, now: datetime) -> bool:
        """The owner should be told now."""
        return self.expiring(session, now) and session.warned_at is None

    def due_deletion(self, session: PrepSession, now: datetime) -> bool:
        """Warned long enough ago, and idle long enough: delete."""
        expires = self.expires_at(session)
        return session.warned_at is not None and expires is not None and now >= expires


@dataclass(slots=True)
class Due:
    """What a sweep found: sessions to warn, and sessions to delete."""

    warn: list[PrepSession] = field(default_factory=list)
    delete: list[PrepSession] = field(default_factory=list)


def sweep(policy: ExpiryPolicy, sessions: list[PrepSession], now: datetime) -> Due:
    """Sort sessions into those due a warning and those due deletion."""
    due = Due()
    for session in sessions:
        if policy.due_deletion(session, now):
            due.delete.append(session)
        elif policy.due_warning(session, now):
            due.warn.append(session)
    return due


def warning_text(session: PrepSession, expires_at: datetime) -> str:
    """The notice an owner gets before deletion."""
    return (
        f"⏳ Your prep session {session.id} ({session.counterpart} · {session.topic}) has been "
        f"idle since {_when(session.updated_at)}. It will be deleted on {_when(expires_at)} "
        "unless you continue it. Answer here or resume it to keep it; export the brief first "
        "if that is all you need."
    )


def deleted_text(session: PrepSession) -> str:
    """The notice after an expired session was deleted."""
    return (
        f"Your prep session {session.id} ({session.counterpart} · {session.topic}) expired "
        "after a long idle spell and was deleted, as announced."
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
