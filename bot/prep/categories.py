"""The risk ledger's categories: who bears a risk, and what kind of mechanism carries it."""

from __future__ import annotations

# Mechanism categories, strongest protection first; the last two are the map's warning rows.
VERIFICATION = "verification/inspection"
WARRANTY = "warranty"
ESCROW = "escrow/holdback"
STAGED = "staged performance"
PENALTY = "penalty"
LEGAL = "arbitration/legal recourse"
NOTICE = "notice duty"
INSURANCE = "insurance/bond"
OTHER = "other mechanism"
ACCEPTED = "accepted consciously"
TRUST_ONLY = "trust only"
MECHANISM_KINDS = (
    VERIFICATION, WARRANTY, ESCROW, STAGED, PENALTY, LEGAL, NOTICE, INSURANCE, OTHER,
    ACCEPTED, TRUST_ONLY,
)  # fmt: skip

YOU = "you"
THEM = "them"
SHARED = "shared"
OTHERS = "others"
UNASSIGNED = "unassigned"
BEARER_KINDS = (YOU, SHARED, THEM, OTHERS, UNASSIGNED)
