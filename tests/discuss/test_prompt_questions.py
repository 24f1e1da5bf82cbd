"""The questions of a prompt, built from a case note and the catalogue: no app needed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.discuss.data import DiscussData, DiscussDataError
from bot.discuss.questions import dimension_of, drafts, forced_choice, with_article
from bot.discuss.scenarios import Scenario
from bot.discuss.setting import Setting, composed_scenarios, side_of
from bot.reading.catalogue import load_catalogue
from bot.settings import REPO_ROOT

DATA_FILE = REPO_ROOT / "prompts" / "discuss" / "discussion.yaml"
DATA = DiscussData.load(DATA_FILE)
KINDS = load_catalogue(REPO_ROOT / "knowledge" / "deals")


def setting(kind_id: str, topic: str = "") -> Setting:
    kind = KINDS[kind_id]
    return Setting(
        kind=kind,
        side=side_of(kind, DATA),
        counterpart=kind.counterpart_role,
        object=kind.default_object,
        risks=kind.risks,
        topic=topic,
    )


def case(kind_id: str, questions: tuple[str, ...] = ()) -> Scenario:
    return Scenario(
        "global:x", "X", "A case.", "notes", "global", kind=kind_id, questions=questions
    )


@pytest.mark.parametrize(
    ("kind_id", "side"),
    [
        ("union-management", "the union"),
        ("selling-a-business", "the seller"),
        ("construction-project", "the client"),  # "client or subcontractor"
        ("licensing-ip", "the licensor"),  # "licensor (owner of the IP)"
        ("arms-control", "one government"),  # not "the diplomat, negotiator or analyst"
    ],
)
def test_the_team_sits_in_the_kinds_own_seat(kind_id: str, side: str) -> None:
    assert side_of(KINDS[kind_id], DATA) == side


@pytest.mark.parametrize("kind_id", sorted(KINDS))
def test_every_kind_yields_a_forced_choice_between_mechanisms(kind_id: str) -> None:
    choice = forced_choice(setting(kind_id), case(kind_id), DATA)

    assert choice is not None and choice.dimension == "mechanism"
    assert re.search(r" (?:rather|hold out for) .+ or ", choice.text)
    assert choice.text.endswith("switch?")


def test_diplomacy_asks_what_a_side_would_insist_on() -> None:
    choice = forced_choice(setting("ceasefire"), case("ceasefire"), DATA)

    assert choice is not None and "would your side rather insist on" in choice.text


@pytest.mark.parametrize(
    ("mechanism", "worded"),
    [
        ("cancellation and postponement scale", "a cancellation and postponement scale"),
        ("IP assignment to the company", "an IP assignment to the company"),
        ("milestone payments against working demos", "milestone payments against working demos"),
        ("founder vesting with a one-year cliff", "founder vesting with a one-year cliff"),
        ("escrow through a freelance platform", "escrow through a freelance platform"),
        ("a plan agreed in advance", "a plan agreed in advance"),
    ],
)
def test_a_mechanism_reads_as_part_of_a_sentence(mechanism: str, worded: str) -> None:
    assert with_article(mechanism, DATA) == worded


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("Which statements could the buyer verify, and which must be warranted?", "mechanism"),
        ("What did each leader need a public statement of trust to achieve at home?", "stakes"),
        ("If the relationship went bad, who would pay for having praised the other?", "risk"),
    ],
)
def test_a_case_notes_own_question_is_read_for_its_dimension(question: str, dimension: str) -> None:
    assert dimension_of(question, DATA) == dimension


def test_the_case_notes_own_questions_come_first_then_the_catalogues() -> None:
    own = ("What did each side need from the pause?", "Who carries the risk if it fails?")
    picked = drafts(setting("ceasefire"), case("ceasefire", own), DATA)

    assert [d.text for d in picked[:2]] == list(own)
    assert picked[2].move_id.startswith("choice:")


def test_without_case_questions_the_catalogue_covers_stakes_and_risk() -> None:
    picked = drafts(setting("wedding-event-vendor"), case("wedding-event-vendor"), DATA)

    assert [d.move_id.split(":")[0] for d in picked] == ["kind", "kind", "choice"]
    assert len({d.text for d in picked}) == 3


def test_each_composed_scenario_is_on_its_own_risk() -> None:
    topic = setting("cofounders", topic="our cofounder wants to leave")
    scenarios = composed_scenarios(topic, DATA)
    choices = {forced_choice(topic, s, DATA).text for s in scenarios}  # type: ignore[union-attr]

    assert len({s.key for s in scenarios}) == len(KINDS["cofounders"].risks)
    assert len(choices) > 1  # different risks, different choices


def test_composed_wording_may_only_use_known_slots(tmp_path: Path) -> None:
    broken = DATA_FILE.read_text().replace("{bearer} would carry", "{payer} would carry")
    path = tmp_path / "discussion.yaml"
    path.write_text(broken)

    with pytest.raises(DiscussDataError, match="payer"):
        DiscussData.load(path)


def test_a_risk_with_a_single_mechanism_is_weighed_against_the_deal_itself() -> None:
    base = setting("wedding-event-vendor")
    single = next(r for r in base.kind.risks if len(r.mechanisms) == 1)  # type: ignore[union-attr]
    choice = forced_choice(replace(base, risks=(single,)), case("wedding-event-vendor"), DATA)

    assert choice is not None and "walk away" in choice.text and "sign without it" in choice.text
