"""The coaching core: trust lens, question planning and the coaching turn. Never imports discord."""
