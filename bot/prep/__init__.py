"""Guided prep sessions: stages, risk ledger, brief and risk map. Never imports discord."""
