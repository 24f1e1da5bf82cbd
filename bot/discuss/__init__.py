"""Team discussions: prompts, schedules, divergence rounds, per-server settings and notes.

The core of the team features. Never imports discord: the cogs in ``bot/exts`` translate
Discord objects into the plain values these modules take.
"""
