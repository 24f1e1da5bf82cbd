"""The move a turn makes, and the questions it asks for it: a choice between two options,
pushback on a safeguard, and a recap that says "rests on their word" only when trust is said."""

from __future__ import annotations

from bot.app import Parley


async def test_a_choice_between_two_options_of_no_known_kind_weighs_one_against_the_other(
    parley_app: Parley,
) -> None:
    # With a kind read, its own questions still come first (a van's mileage before lease or buy).
    turn = await parley_app.coach.ask(
        "lease the new espresso machine at 140 a month or buy it for 6k? what should i do"
    )
    moves = [q.move_id for q in turn.questions]
    assert any(m.startswith("generic:decide-compare:") for m in moves), moves


async def test_a_decision_with_no_trust_said_is_not_recapped_as_resting_on_their_word(
    parley_app: Parley,
) -> None:
    turn = await parley_app.coach.ask(
        "two job offers, 60k at a bank or 55k at a startup with equity. what should i do?"
    )
    assert not [line for line in turn.preface if "word" in line], turn.preface


async def test_pushback_on_a_safeguard_names_the_person_it_is_about(parley_app: Parley) -> None:
    turn = await parley_app.coach.ask(
        "the roofer has done five houses on my street and they were all fine. "
        "you're being paranoid, i'm not asking him for a guarantee"
    )
    texts = [q.text for q in turn.questions]
    assert texts
    assert not [t for t in texts if "the other side" in t], texts
