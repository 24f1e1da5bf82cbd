"""Situation reading: what the user is doing, the deal, its parties and terms (issue 8)."""

from bot.reading.models import INTENTS, DealReading, Reading

__all__ = ["INTENTS", "DealReading", "Reading"]
