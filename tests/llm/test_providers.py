"""PARLEY_LLM parsing and provider setup: clear messages for every mistake, fast-failing clients."""

from __future__ import annotations

import sys

import pytest

from bot.coaching.llm import LLMConfigError
from bot.coaching.llm.providers import ModelSpec, build_chat_model, install_hint, provider_options


@pytest.mark.parametrize(
    ("value", "provider", "model"),
    [
        ("openai:gpt-4.1-mini", "openai", "gpt-4.1-mini"),
        ("anthropic:claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        (" Ollama:llama3.1 ", "ollama", "llama3.1"),
        ("openai:qwen2.5:1.5b", "openai", "qwen2.5:1.5b"),
    ],
)
def test_spec_is_provider_and_model(value: str, provider: str, model: str) -> None:
    assert ModelSpec.parse(value) == ModelSpec(provider, model)


@pytest.mark.parametrize("value", ["gpt-4.1-mini", "openai:", ":llama"])
def test_spec_without_provider_is_refused_with_an_example(value: str) -> None:
    with pytest.raises(LLMConfigError, match=r"provider:model, e\.g\. openai:gpt-4\.1-mini"):
        ModelSpec.parse(value)


@pytest.mark.parametrize(
    ("provider", "hint"),
    [("openai", ".[openai]"), ("anthropic", ".[anthropic]"), ("ollama", ".[ollama]")],
)
def test_install_hint_names_the_extra(provider: str, hint: str) -> None:
    assert hint in install_hint(provider)


def test_missing_langchain_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain.chat_models", None)
    with pytest.raises(LLMConfigError, match=r"pip install -e '\.\[anthropic\]'"):
        build_chat_model(ModelSpec("anthropic", "claude-sonnet-4-5"))


def test_missing_provider_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langchain.chat_models", reason="langchain is an optional extra")
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)
    with pytest.raises(LLMConfigError, match=r"pip install -e '\.\[ollama\]'"):
        build_chat_model(ModelSpec("ollama", "llama3.1"))


def test_openai_client_fails_fast_and_never_retries() -> None:
    options = provider_options(
        "openai", base_url=None, api_key=None, timeout=20, connect_timeout=2, max_tokens=300
    )
    assert options["max_retries"] == 0 and options["timeout"].connect == 2


def test_compatible_endpoint_gets_a_placeholder_key() -> None:
    options = provider_options(
        "openai",
        base_url="http://127.0.0.1:8080/v1",
        api_key=None,
        timeout=20,
        connect_timeout=2,
        max_tokens=300,
    )
    assert options["base_url"].startswith("http://127.0.0.1") and options["api_key"]
