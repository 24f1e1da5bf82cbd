"""Conversation memory: recent exchanges verbatim, older ones summarised, always under budget."""

from __future__ import annotations

import pytest

from bot.coaching.llm import ConversationMemory
from bot.coaching.llm.memory import EMPTY, count_tokens


def exchange(i: int, words: int = 30) -> tuple[str, list[str], list[str]]:
    message = f"message {i} " + " ".join(f"word{i}x{j}" for j in range(words))
    return message, [f"Question {i} about the deal, what is at stake?"], ["stakes"]


@pytest.mark.parametrize("budget", [100, 200, 400, 800])
@pytest.mark.parametrize("turns", [1, 5, 40])
def test_rendered_history_stays_under_budget(budget: int, turns: int) -> None:
    memory = ConversationMemory(budget=budget)
    for i in range(turns):
        memory.add(*exchange(i))
    assert count_tokens(memory.render()) <= budget


def test_newest_exchange_is_verbatim() -> None:
    memory = ConversationMemory(budget=400)
    for i in range(10):
        memory.add(*exchange(i))
    assert exchange(9)[0] in memory.render()


def test_older_exchanges_are_summarised_not_forgotten() -> None:
    memory = ConversationMemory(budget=800, recent=2)
    for i in range(4):
        memory.add(*exchange(i, words=5))
    text = memory.render()
    assert "Person said: message 0" in text and "probed stakes" in text
    assert "Question 0 about the deal" not in text


def test_oldest_summaries_drop_out_when_the_budget_is_tight() -> None:
    memory = ConversationMemory(budget=150, recent=1)
    for i in range(30):
        memory.add(*exchange(i))
    assert "earlier exchanges not shown" in memory.render() and memory.dropped > 0


def test_one_huge_message_is_cut_to_its_end() -> None:
    memory = ConversationMemory(budget=100)
    memory.add("start " + "blah " * 500 + "the end", ["What now?"])
    text = memory.render()
    assert count_tokens(text) <= 100 and text.endswith("What now?")


def test_memory_survives_json() -> None:
    memory = ConversationMemory(budget=300)
    for i in range(6):
        memory.add(*exchange(i))
    again = ConversationMemory.from_json(memory.to_json(), budget=300)
    assert again.render() == memory.render()


def test_smaller_budget_on_reload_is_respected() -> None:
    memory = ConversationMemory(budget=2000)
    for i in range(6):
        memory.add(*exchange(i))
    assert count_tokens(ConversationMemory.from_json(memory.to_json(), budget=120).render()) <= 120


def test_empty_memory_says_so() -> None:
    assert ConversationMemory().render() == EMPTY


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("one", 2), ("a b c d e f g h i j", 13)])
def test_tokens_are_words_times_one_point_three(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens
