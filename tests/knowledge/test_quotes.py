"""The excerpt a citation shows: the sentence that supports the question in this situation, not
one about some other deal's goods or about people the user never mentioned."""

from __future__ import annotations

import pytest

from bot.coaching.models import Passage
from bot.knowledge.quotes import with_quote

# Our own wording, shaped like an essay paragraph that opens on an example.
PARAGRAPH = (
    "Haggling over a used tractor is about its price, and about who pays if it goes wrong. "
    "Some of the risk of things going wrong is carried by trust, the rest by written terms "
    "and the chance of going to court. "
    "When Minister Halvorsen met her counterpart, the risk of things going wrong was ignored."
)


def _quote(focus: str, foreign: tuple[str, ...] = ("tractor",)) -> str:
    passage = Passage(source="test", text=PARAGRAPH, score=1.0)
    return with_quote(passage, focus, foreign=foreign).quote


@pytest.mark.parametrize(
    "focus",
    [
        "Which risk of things going wrong worries you most in the job offer?",
        "Who pays if the lodger's rent goes wrong, and what risk is left?",
    ],
)
def test_a_sentence_about_another_deals_goods_is_not_quoted(focus: str) -> None:
    assert "tractor" not in _quote(focus)
    assert "Halvorsen" not in _quote(focus)


def test_the_example_sentence_is_quoted_when_the_user_trades_that_thing() -> None:
    assert "tractor" in _quote("Who pays if the tractor goes wrong after its price is paid?")


def test_without_foreign_words_the_best_fitting_sentence_is_quoted() -> None:
    quote = _quote("Who pays if it goes wrong, whatever the price?", foreign=())
    assert quote.startswith("Haggling over a used tractor")
