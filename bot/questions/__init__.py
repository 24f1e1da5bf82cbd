"""Question planning about this deal: corpus, quality gate, situational planner (issue 9)."""
