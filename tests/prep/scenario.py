"""A realistic prep session, as lines a user would type (terminal syntax), reused by the tests."""

from __future__ import annotations

from bot.prep.models import Reply
from bot.prep.service import PrepService
from bot.terminal.prep import parse_risk

COUNTERPART = "the landlord"
TOPIC = "renewing my flat lease with the broken boiler replaced"

SITUATION = [
    "I want a two-year renewal at today's rent, with the broken boiler replaced before winter.",
    "By 1 October: the current lease ends then, and I need heating by November.",
]
STAKES = [
    "I keep a flat near work at a fair rent; if it falls through I pay movers, agent fees and a higher rent elsewhere.",
    "The landlord keeps a reliable tenant and avoids two empty months and an agent fee.",
    "He fears paying for a new boiler and then being stuck with a tenant who stops paying.",
    "My partner, who works from home and needs heat; the letting agent, who earns a fee on a new tenant.",
    "Keeping the flat let without spending much this year, because he is refinancing the building.",
]
ALTERNATIVES = [
    "Rent the flat on Hill Street: 8% more expensive, available from September.",
    "Re-letting to a new tenant after two or three empty months and an agent fee.",
    "Current rent plus 3%, and only with the boiler replaced by 1 November.",
    "Current rent, boiler replaced by 1 October, two-year term.",
]
TRUST_AUDIT = [
    "They will replace the boiler before 1 November.",
    "I would be without heating in winter and buy electric heaters: about 400 pounds of extra electricity.",
    "I would find out on 1 November, long after I signed the two-year lease.",
    "They will not raise the rent again during the two years.",
    "A 5% rise in year two would cost me about 900 pounds.",
    "I would only learn it from the renewal notice, with two months to react.",
]
RISKS = [
    "Me, entirely: I would be cold and paying for heaters.",
    "A rent reduction of 20% per month written into the lease until the boiler works, plus an inspection certificate before I sign.",
    "A few cold weeks if the installer is late; I can live with that.",
    "Both of us, but mostly me.",
    "He seems honest, so I'll trust him on that.",  # leans on trust: a follow-up must come
    "A fixed rent for two years in the lease, with arbitration if he breaks it.",
    "Only the cost of arbitration; acceptable.",
]
EXTRA_RISK = "The landlord's verbal promise to repaint the kitchen | me | trust - his word | it may never happen"
REPUTATION = [
    "If I sign and the boiler is never fixed, my partner and friends see me as a pushover.",
    "If he is seen to give in on rent, the other tenants in the building ask for the same.",
    "I owe him notice if my job moves me away; he owes me notice of a sale or of works, 30 days each.",
]
COMMITMENTS = [
    "A signed lease draft with the boiler date and the rent-reduction clause.",
    "I check the boiler on 1 November and keep the inspection certificate; the agent confirms the rent in writing each year.",
]

# The whole session as terminal lines: answers, and /commands for the buttons.
LINES = [
    *SITUATION, "/next",
    *STAKES, "/next",
    *ALTERNATIVES, "/next",
    *TRUST_AUDIT, "/skip", "/next",
    *RISKS, f"/risk {EXTRA_RISK}", "/next",
    *REPUTATION, "/next",
    *COMMITMENTS, "/finish", "/finish",  # the first lists what is open, the second confirms
]  # fmt: skip


async def play(service: PrepService, owner: str, session_id: str, lines: list[str]) -> Reply:
    """Feed lines the way the terminal does; returns the last reply."""
    reply = None
    for line in lines:
        if line.startswith("/risk "):
            reply = await service.save_risk(session_id, owner, parse_risk(line[6:])[1])
        elif line.startswith("/"):
            reply = await service.act(session_id, owner, line[1:])
        else:
            reply = await service.answer(session_id, owner, line)
    assert reply is not None
    return reply
