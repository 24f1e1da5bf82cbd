"""Tactics: the move the user is answering gets questions about numbers, alternatives and the
other side's position, cited from the tactics guide, never a checklist of the deal's risks."""

from __future__ import annotations

import pytest

from bot.app import Parley
from bot.questions.planner import Candidate, vary_object

TACTICS_GUIDE = "Parley guide: tactics at the table"


@pytest.mark.parametrize(
    ("text", "tactic", "counterpart"),
    [
        (
            'client said "2k take it or leave it" for a brand identity i quoted 3.5k, what do i say',
            "ultimatum",
            "client",
        ),
        (
            "i countered at £750 on my road bike 2 days ago and the buyer's gone quiet, now what",
            "silence",
            "buyer",
        ),
        (
            "the landlord says three other people want the flat and i have to decide by tonight",
            "rival",
            "landlord",
        ),
        ("a customer wants a 20% discount on the 500 mugs order or she'll go elsewhere", "discount", "customer"),
        ("dealer offered £6k for my trade-in and wants £24k for the new one, how do i counter?", "counter", "dealer"),
        ("should i name a number first? the recruiter asked my salary expectations", "first-number", None),
        ("my cofounder wants 60/40, how do i push back without blowing it up", "ask-for-more", "cofounder"),
        ("the salesman keeps going off to check with his manager and coming back with £50 off", "authority", "salesman"),
        ("we agreed the price last week and now the client keeps asking for one more small thing", "nibble", "client"),
        ("the council says the grade is fixed by the band, what else can i ask for?", "fixed-terms", None),
        ("in the trade sim the other delegation keeps linking the fish quota to car tariffs", "linkage", None),
        ("the agency quoted 40k, do i tell them our budget is 25k or let them guess?", "budget-reveal", "agency"),
        ("the buyer's survey found £6k of damp, he wants us to split the difference on it", "split", "buyer"),
        ("two offers on our bungalow, should i tell each buyer about the other one?", "competing", "buyer"),
        ("role play tomorrow: both sides want the other to hand over the hostages first. deadlock", "deadlock", None),
        ("our printer supplier says prices go up 9% in march, we spend 30k a year with them", "price-rise-in", "supplier"),
    ],
)  # fmt: skip
async def test_a_tactic_is_answered_with_its_own_questions(
    parley_app: Parley, text: str, tactic: str, counterpart: str | None
) -> None:
    turn = await parley_app.coach.ask(text)
    moves = [q.move_id for q in turn.questions]
    assert any(m.startswith(f"tactic:{tactic}:") for m in moves), moves
    if counterpart:
        assert any(counterpart in q.text.lower() for q in turn.questions)


async def test_a_tactic_question_is_cited_from_its_section_of_the_tactics_guide(
    parley_app: Parley,
) -> None:
    turn = await parley_app.coach.ask("the buyer's gone quiet since i countered at 750, what now?")
    cited = [q for q in turn.questions if q.move_id.startswith("tactic:silence:")]
    assert cited
    assert all(q.passage.title == TACTICS_GUIDE for q in cited)
    assert all("When the other side goes quiet:" in q.passage.text for q in cited)


async def test_two_questions_never_quote_the_same_sentence(parley_app: Parley) -> None:
    turn = await parley_app.coach.ask(
        "my cofounder wants 60/40, how do i push back without a fight"
    )
    quotes = [q.passage.excerpt() for q in turn.questions]
    assert len(quotes) == len(set(quotes))


async def test_a_haggle_term_is_cited_from_the_tactics_guide(parley_app: Parley) -> None:
    turn = await parley_app.coach.ask("what is BATNA? the landlord wants 15% more at renewal")
    term = [q for q in turn.questions if q.move_id.startswith("term:BATNA:")]
    assert term and term[0].passage.title == TACTICS_GUIDE


async def test_a_term_asked_about_keeps_the_concept_move(parley_app: Parley) -> None:
    turn = await parley_app.coach.ask(
        "what does take it or leave it mean, is a final offer binding?"
    )
    assert not any(q.move_id.startswith("tactic:") for q in turn.questions)


@pytest.mark.parametrize(
    ("obj", "later"),
    [
        ("your Sony A7III", "the A7III"),
        ("your road bike", "the bike"),
        ("the brand identity", "the brand identity"),  # "the identity" would say nothing
        ("the van", "the van"),
    ],
)
def test_an_object_is_named_in_full_once_then_by_its_head_noun(obj: str, later: str) -> None:
    slots = {"counterpart": "the buyer", "object": obj, "mechanism": "that safeguard"}
    chosen = [
        Candidate(f"Who pays if {obj} is damaged?", "Who pays if {object} is damaged?", "risk", "a", 1.0),
        Candidate(f"What is {obj} worth?", "What is {object} worth?", "stakes", "b", 1.0),
    ]  # fmt: skip
    varied = vary_object(chosen, slots)
    assert obj in varied[0].text
    assert varied[1].text == f"What is {later} worth?"


async def test_a_silence_is_answered_even_mid_examination(parley_app: Parley) -> None:
    text = "i asked for a survey and a 5% retention, and theyve gone quiet for 5 days since"
    turn = await parley_app.coach.ask(text)
    assert any(q.move_id.startswith("tactic:silence:") for q in turn.questions)
