"""Fixes from the judged dev sessions: refusals read as trust, one row per risk, the deal kind
read on evidence, no canned line repeated, no follow-up that presumes a refused safeguard."""

from __future__ import annotations

import pytest

from bot.coaching.trust_lens import TrustLens
from bot.prep import ledger as kinds
from bot.prep.models import RiskInput, short_name
from bot.prep.questions import _kind_question, presumes_unheld
from bot.prep.service import PrepService
from tests.prep.scenario import play

OWNER = "terminal:dev"
PARTIES = kinds.Parties.of("Gary")


@pytest.mark.parametrize(
    "answer",
    [
        "I guess I could ask for something like a penalty per week late? but he's mates with "
        "the Hughes, that'd be so awkward. I'll just trust him on it",
        "he must have insurance, all builders do right? I haven't asked to see it",
        "honestly I'm fine with that one. family business, 40 years, I've been there. "
        "I'll just pay the deposit",
        "i could ask for it in writing... nah he'll do it",
    ],
)
def test_a_safeguard_weighed_assumed_or_paid_away_is_trust_only(
    lens: TrustLens, answer: str
) -> None:
    assert kinds.read_answer(answer, lens.read(answer), PARTIES).mechanism == kinds.TRUST_ONLY


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (
            "maybe pay in stages instead? like when the foundations are in, when the roof's on. "
            "I could say it's for our cashflow so it doesn't sound like I don't trust him",
            kinds.STAGED,
        ),
        ("cargo insurance through the forwarder, about €180", kinds.INSURANCE),
        ("I insist on seeing his insurance certificate before he starts", kinds.INSURANCE),
    ],
)
def test_a_safeguard_kept_is_still_read_as_cover(lens: TrustLens, answer: str, kind: str) -> None:
    assert kinds.read_answer(answer, lens.read(answer), PARTIES).mechanism == kind


async def test_a_risk_added_by_hand_takes_over_the_trust_audit_row_it_restates(
    prep: PrepService,
) -> None:
    reply = await prep.start(OWNER, "Gary (the builder)", "single-storey kitchen extension")
    sid = reply.session_id
    await play(prep, OWNER, sid, ["/next", "/next", "/next"])
    await play(prep, OWNER, sid, ["he'll finish by end of June like he said", "/next"])
    await play(prep, OWNER, sid, ["/next"])  # the risk stage, with the audit's row in it
    (audit,) = await prep.ledger(sid, OWNER)

    reply = await prep.save_risk(sid, OWNER, RiskInput("finish date slips past June"))
    other = await prep.save_risk(sid, OWNER, RiskInput("damage to the neighbours' wall"))

    rows = other.ledger
    assert [r.risk for r in rows] == [
        "finish date slips past June",
        "damage to the neighbours' wall",
    ]
    assert rows[0].position == audit.position and rows[0].assumption == audit.assumption
    assert "same risk" in reply.notices[0]


async def test_the_deal_kind_needs_the_kinds_own_words_and_is_re_read(prep: PrepService) -> None:
    reply = await prep.start(OWNER, "Sr. Costa", "Christmas order of hand-painted ceramics")
    assert reply.session.state.get("deal_kind") is None  # no kind's words: unsure, not a guess

    sid = reply.session_id
    reply = await prep.start(OWNER, "Gary", "single-storey kitchen extension")
    assert reply.session.state.get("deal_kind") == "contractor-renovation"
    sid = reply.session_id
    said = (
        "I want Sam and me to agree the cofounder equity split and vesting before the "
        "accelerator needs our cap table and founder agreement"
    )
    reply = await prep.answer(sid, OWNER, said)
    assert reply.session.state.get("deal_kind") != "contractor-renovation"  # contradicted


def test_a_kinds_question_is_not_asked_twice(prep: PrepService) -> None:
    kind = prep.coach.reader.kinds["contractor-renovation"]
    first = _kind_question(kind, [], "Gary")
    assert first
    again = _kind_question(kind, [], "Gary", [f'Another "they will…"? {first} Send it.'])
    assert again != first


def test_a_follow_up_never_presumes_a_refused_safeguard() -> None:
    text = "If vesting is your safeguard, what happens to the shares if Sam drops to two days?"
    assert presumes_unheld(text, frozenset())
    assert not presumes_unheld(text, frozenset({kinds.STAGED}))
    assert not presumes_unheld(
        "If the penalty clause costs little, why would your supplier mind it?", frozenset()
    )


@pytest.mark.parametrize(
    ("entry", "name"),
    [
        ("Darren Pugh (livery yard owner)", "Darren Pugh"),
        ("Tom Hale, commissioning editor", "Tom Hale"),
        ("Sarah Blake - land director, Fenwick Homes", "Sarah Blake"),
        ("the landlord", "the landlord"),
        ("Ms. Okafor", "Ms. Okafor"),
    ],
)
def test_questions_name_the_counterpart_without_the_role_the_form_gave(
    entry: str, name: str
) -> None:
    assert short_name(entry) == name


async def test_a_question_names_the_person_and_the_brief_keeps_the_whole_entry(
    prep: PrepService,
) -> None:
    reply = await prep.start(OWNER, "Darren Pugh (livery yard owner)", "selling my spare hay")
    assert "Darren Pugh" in reply.questions[0].text
    assert "(livery" not in reply.questions[0].text


async def test_a_session_of_no_known_kind_cites_no_case_of_another_kind(
    prep: PrepService,
) -> None:
    reply = await prep.start(OWNER, "Darren Pugh", "selling my spare hay to darren")
    answers = [
        "all 120 bales at 38 a bale, collected as he needs them",
        "seeing him at his yard tomorrow after feeding",
        "/next",
        "about 4.5k, most of the winter feed for the ewes",
        "he gets hay cheaper than the merchant",
    ]
    cited = [q.passage for q in reply.questions]
    for line in answers:
        reply = await play(prep, OWNER, reply.session_id, [line])
        cited += [q.passage for q in reply.questions]
    assert reply.session.state.get("deal_kind") is None
    assert len(cited) >= 5
    assert all(p.case_kind in ("", "tactics") for p in cited), [p.title for p in cited]
