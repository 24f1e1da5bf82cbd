"""The terminal front end: one-shot `ask`, interactive `chat`, knowledge management."""
