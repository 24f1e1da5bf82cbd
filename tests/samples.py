"""Small hand-made inputs shared by the planner and LLM engine tests."""

from __future__ import annotations

from bot.coaching.models import Passage

# Three retrieved passages, one per kind of grounding a question may need.
PASSAGES = (
    Passage(
        "essay",
        "Risk of things going wrong is spread by warranties and legal action.",
        0.8,
        chunk_id="a",
    ),
    Passage(
        "notes", "Verification on the ground: inspectors get access to sites.", 0.6, chunk_id="b"
    ),
    Passage("notes", "A leader's priority of priorities is to stay in power.", 0.5, chunk_id="c"),
)
