"""Questions about this deal: a move for each intent, citations that fit, and the quality gate."""

from __future__ import annotations

import pytest

from bot.app import Parley
from bot.coaching.models import Turn
from bot.questions.gate import premise_given, problems
from bot.questions.planner import new_amount, new_deadline

GENERIC = ("the other side", "this deal", "which deal is on your mind")


async def ask(app: Parley, text: str, conversation: str | None = None) -> Turn:
    return await app.coach.ask(text, conversation)


async def converse(app: Parley, *texts: str) -> list[Turn]:
    """The turns of one new conversation, one per message."""
    conversation = f"test:{abs(hash(texts))}"
    await app.coach.open_conversation(conversation, "test")
    return [await ask(app, text, conversation) for text in texts]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "the kitchen fitter seems honest so we're paying 50% upfront before the units arrive",
            ("fitter",),
        ),
        (
            "my landlord promised to fix the boiler before winter so I signed the renewal",
            ("landlord",),
        ),
    ],
)
async def test_trusting_user_gets_questions_about_this_deal(
    parley_app: Parley, text: str, words: tuple[str, ...]
) -> None:
    turn = await ask(parley_app, text)
    joined = " ".join(q.text.lower() for q in turn.questions)
    assert turn.questions
    assert any(w in joined for w in words)
    assert not any(g in joined for g in GENERIC)


async def test_concept_question_gets_a_definition_then_a_question(parley_app: Parley) -> None:
    turn = await ask(
        parley_app, "what does 'liquidated damages' actually mean in my supplier contract?"
    )
    assert turn.preface and "liquidated damages" in turn.preface[0].lower()
    assert 1 <= len(turn.questions) <= 2


async def test_tactics_question_gets_tactics_moves_not_a_risk_checklist(parley_app: Parley) -> None:
    turn = await ask(
        parley_app, "should I name a number first when the recruiter asks my salary expectations?"
    )
    assert any(q.move_id.startswith("tactic:first-number:") for q in turn.questions)
    assert all("could go wrong" not in q.text for q in turn.questions)


async def test_examining_user_is_asked_about_the_mechanism_they_named(parley_app: Parley) -> None:
    turn = await ask(
        parley_app,
        "I'm insisting on an independent survey of the flat before we exchange, what could it miss?",
    )
    assert any("survey" in q.text.lower() or "inspect" in q.text.lower() for q in turn.questions)


async def test_decide_gets_a_recap_and_one_question(parley_app: Parley) -> None:
    await parley_app.coach.open_conversation("t:decide", "u")
    await ask(
        parley_app,
        "the fitter seems honest so we're paying 50% upfront for the kitchen",
        "t:decide",
    )
    turn = await ask(parley_app, "ok so what should I actually do?", "t:decide")
    assert len(turn.preface) == 2 and turn.preface[0].startswith("So far")
    assert len(turn.questions) == 1


async def test_pushback_is_never_answered_with_a_repeat(parley_app: Parley) -> None:
    await parley_app.coach.open_conversation("t:push", "u")
    first = await ask(parley_app, "the builder seems honest so no written quote", "t:push")
    second = await ask(parley_app, "he's done my neighbours' houses and it was fine", "t:push")
    assert {q.text for q in first.questions}.isdisjoint(q.text for q in second.questions)
    assert "builder" in " ".join(q.text for q in second.questions)


async def test_non_english_message_gets_a_note_in_its_language_and_a_question(
    parley_app: Parley,
) -> None:
    turn = await ask(
        parley_app,
        "Le vendeur a l'air honnête, je paie demain 500 euros par virement avant l'envoi du vélo",
    )
    assert any("anglais" in line for line in turn.preface)
    assert turn.questions and "which deal" not in turn.questions[0].text.lower()


async def test_every_cited_passage_is_shown(parley_app: Parley) -> None:
    turn = await ask(parley_app, "the seller seems honest so I'll skip the inspection of the van")
    shown = {p.chunk_id for p in turn.passages}
    assert all(q.passage.chunk_id in shown for q in turn.questions)


async def test_citation_comes_from_the_same_kind_of_case_or_the_essay(parley_app: Parley) -> None:
    turn = await ask(
        parley_app, "buying a used van, the seller seems honest so I'll skip the inspection"
    )
    kinds = [q.passage.case_kind for q in turn.questions]
    assert kinds and kinds[0] in ("", "used-vehicle-purchase")


async def test_a_deal_question_is_cited_with_its_kinds_guide_or_case(parley_app: Parley) -> None:
    turn = await ask(
        parley_app,
        "swapping my ps5 for a guy's steam deck, he has loads of vouches so I'll post first",
    )
    assert any(q.passage.title.startswith("Parley deal guide") for q in turn.questions)
    assert all(q.passage.case_kind in ("", "marketplace-swap") for q in turn.questions)


@pytest.mark.parametrize(
    ("presumes", "said", "given"),
    [
        ((), "anything at all", True),
        (("upfront", "prepa"), "she offered six months prepaid", True),
        (("upfront", "prepa"), "referenced the tenant, deposit is in the scheme", False),
        (("months' rent",), "offered 6 months’ rent in cash", True),
        (("loan", "finance"), "paying cash for the car", False),
        (("participating",), "a 2x participating pref", True),
        (("participating",), "1x non-participating pref", False),
    ],
)
def test_a_question_that_takes_a_fact_for_granted_needs_it_said(
    presumes: tuple[str, ...], said: str, given: bool
) -> None:
    assert premise_given(presumes, said) is given


async def test_a_presumed_fact_the_user_never_gave_is_not_asked(parley_app: Parley) -> None:
    turn = await ask(
        parley_app,
        "letting my flat: referenced the tenant, got a guarantor, deposit's in the DPS. "
        "she seems lovely, should I let her have a cat?",
    )
    assert not any("upfront" in q.text for q in turn.questions)


async def test_the_term_asked_about_is_defined_not_a_longer_one_nearby(parley_app: Parley) -> None:
    turn = await ask(parley_app, "whats a cliff in vesting? offer says 4yr vesting w/ 1yr cliff")
    assert turn.preface and turn.preface[0].lower().startswith("cliff:")


async def test_the_language_note_is_given_once_per_conversation(parley_app: Parley) -> None:
    await parley_app.coach.open_conversation("lang-note", "tester")
    first = await ask(
        parley_app,
        "Le vendeur a l'air honnête, je paie 500 euros avant l'envoi du vélo",
        "lang-note",
    )
    second = await ask(
        parley_app, "Il dit qu'il a déjà vendu beaucoup de vélos, il est très gentil", "lang-note"
    )
    assert any("anglais" in line for line in first.preface)
    assert not any("anglais" in line for line in second.preface)


async def test_a_question_opening_on_something_the_user_said_is_absent_is_dropped(
    parley_app: Parley,
) -> None:
    turn = await ask(
        parley_app,
        "landlord is my mum's old colleague so she said we dont need the deposit protected "
        "or an inventory, £1,200 deposit",
    )
    assert not any(
        q.text.lower().startswith(("if your deposit", "if the inventory")) for q in turn.questions
    )


async def test_a_first_should_i_gets_what_it_comes_down_to_then_the_deciding_question(
    parley_app: Parley,
) -> None:
    turn = await ask(
        parley_app,
        "my friend wants me to be guarantor on his flat, £1,600/m. he's good for it. should i?",
    )
    # "whether": the deciding risk is what could happen, never said as if it had.
    assert turn.preface and turn.preface[0].startswith("What it comes down to: whether ")
    assert 1 <= len(turn.questions) <= 2


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("thanks that actually helped a lot, going to talk to him tmrw", "luck"),
        ("thanks, all sorted now, he paid and I sent it", "done"),
    ],
)
async def test_thanks_before_the_talk_wishes_luck_and_after_it_closes(
    parley_app: Parley, text: str, line: str
) -> None:
    turn = await ask(parley_app, text)
    said = " ".join(turn.preface).lower()
    assert ("luck" in said) is (line == "luck")
    assert len(turn.questions) == 1


async def test_two_questions_asking_the_same_thing_are_not_both_asked(parley_app: Parley) -> None:
    turn = await ask(
        parley_app,
        "im the landlord here. new tenant Josh seems lovely, he asked if we could skip "
        "referencing. deposit would be £1,500",
    )
    assert sum("previous landlord" in q.text for q in turn.questions) <= 1


async def test_the_users_own_role_is_no_safeguard(parley_app: Parley) -> None:
    turn = await ask(
        parley_app, "my friend wants me to be guarantor on his flat, £1,600/m. so what should i do"
    )
    assert not any("guarantor" in line for line in turn.preface if line.startswith("Safeguards"))
    assert not any(q.move_id.startswith("mechanism:guarantee") for q in turn.questions)


async def test_excerpt_is_the_supporting_sentence_not_the_chunk_opening(parley_app: Parley) -> None:
    turn = await ask(
        parley_app, "buying a used van, the seller seems honest so I'll skip the inspection"
    )
    quoted = [q.passage.quote for q in turn.questions]
    assert all(
        quote and quote in " ".join(q.passage.text.split())
        for q, quote in zip(turn.questions, quoted, strict=True)
    )


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ('Is "I trust my" a judgement? And what else?', "not exactly one question"),
        ('What if "he said "fine"" is wrong?', "broken or nested quote"),
        ("What happens if the seller lol disappears?", "slang or emoji echoed"),
        ("What happens if the seller 🙏 disappears?", "slang or emoji echoed"),
        ("What does {object} cost you?", "slot artefact"),
        ("If your share of the shares is your main savings, what then?", "slot artefact"),
        ("You should ask for escrow, right?", "advice, not a question"),
        (
            "What would the other side lose if the van is faulty?",
            "generic counterpart where a specific one is known",
        ),
    ],
)
def test_quality_gate_rejects_each_artefact(question: str, problem: str) -> None:
    assert problem in problems(question, asked=set(), counterpart_known=True)


def test_quality_gate_rejects_a_question_asked_before() -> None:
    text = "Who pays if the van's mileage turns out to be wrong?"
    assert "asked before in this conversation" in problems(
        text, asked={"who pays if the van s mileage turns out to be wrong"}, counterpart_known=True
    )


async def test_a_tenant_moving_out_is_asked_about_the_deposit_not_the_renewal(
    parley_app: Parley,
) -> None:
    turns = await converse(
        parley_app,
        "moving out next week, landlord Greg says he'll sort the deposit fairly",
        "he never did an inventory",
    )
    asked = " ".join(q.text.lower() for t in turns for q in t.questions)
    assert "deposit" in asked
    assert not any(word in asked for word in ("renewal", "rent rose", "boiler"))


async def test_a_follow_up_with_its_own_move_used_up_still_gets_a_question(
    parley_app: Parley,
) -> None:
    turns = await converse(
        parley_app,
        "me and my mate are going halves on a food truck, we trust each other",
        "he just told me his dad is lending him his half and wants to be involved",
    )
    assert all(turn.questions for turn in turns)


@pytest.mark.parametrize(
    ("follow_up", "asked_about"),
    [
        ("update: theres major works coming for the roof, estimated £40k split 6 ways", "£40k"),
        ("the seller will knock off 3k as a gesture. is that enough?", "3k off"),
        ("also she wants to exchange within 10 days because shes in a chain", "within 10 days"),
    ],
)
async def test_a_follow_up_asks_about_the_amount_or_deadline_it_brings_in(
    parley_app: Parley, follow_up: str, asked_about: str
) -> None:
    first = (
        "buying a leasehold flat for £235k, the survey found some damp, what else should i check?"
    )
    turns = await converse(parley_app, first, follow_up)
    assert any(asked_about in q.text for q in turns[1].questions)


@pytest.mark.parametrize(
    ("message", "asked_about"),
    [
        (
            "booking a lighting crew for our festival, the guy has never cancelled in his life. "
            "we're paying 70% upfront, sounds good right?",
            "70%",
        ),
        (
            "the vendor's account exec told me off the record the licence won't go up, it's "
            "just not in the contract. fine to rely on?",
            "written",
        ),
    ],
)
async def test_money_paid_up_front_or_a_spoken_promise_is_asked_about_in_any_deal(
    parley_app: Parley, message: str, asked_about: str
) -> None:
    turn = await ask(parley_app, message)
    assert any(asked_about in q.text for q in turn.questions)


async def test_a_trusting_user_is_asked_about_the_sum_they_name(parley_app: Parley) -> None:
    turn = await ask(
        parley_app,
        "the producer was on a netflix crew so he's legit. he wants me to shoot his feature on a "
        "deferred fee of $12k, that's normal right",
    )
    assert any("$12k" in q.text for q in turn.questions)


@pytest.mark.parametrize(
    ("message", "amount", "deadline"),
    [
        ("estimated £40k split between 6 flats", "£40k", ""),
        ("she can do $3,600/yr locked", "$3,600", ""),
        ("those cost me £9 each", "", ""),  # too small to be what the deal turns on
        ("we need an answer by thursday or we'll go with someone else", "", "by thursday"),
        ("they arrived today and 80 are misprinted", "", ""),  # a date tied to no decision
        ("theyve gone quiet for 5 days", "", ""),  # a span, not a deadline
        ("he'll give me a signed note saying he'll finish by end of month", "", ""),
    ],
)
def test_a_new_amount_or_deadline_is_read_only_where_it_is_one(
    message: str, amount: str, deadline: str
) -> None:
    assert (new_amount(message, ""), new_deadline(message, "")) == (amount, deadline)


def test_an_amount_said_before_is_not_new() -> None:
    assert new_amount("ok so the 40k is confirmed", "the roof works are £40k, 40k") == ""
