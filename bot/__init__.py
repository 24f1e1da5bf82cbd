"""Parley: a Socratic negotiation coach that moves people from trust to stakes, risk and mechanisms."""
