"""Builds a langchain chat model from ``PARLEY_LLM`` (``provider:model``), or says what to install.

``langchain`` and the provider packages are optional extras: nothing here is imported until an
LLM is configured, so the offline default never needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel

from bot.coaching.llm.errors import LLMConfigError

# provider prefix -> the pyproject extra that installs it
EXTRAS = {"openai": "openai", "anthropic": "anthropic", "ollama": "ollama"}
# A local OpenAI-compatible server needs a key in the request, but never checks it.
UNUSED_KEY = "not-needed"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """``PARLEY_LLM`` split into provider and model."""

    provider: str
    model: str

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}"

    @classmethod
    def parse(cls, value: str) -> ModelSpec:
        """Parse ``provider:model``; the provider part is required."""
        provider, sep, model = value.strip().partition(":")
        if not sep or not provider or not model:
            raise LLMConfigError(
                f"PARLEY_LLM={value!r} must look like provider:model, e.g. openai:gpt-4.1-mini, "
                "anthropic:claude-sonnet-4-5 or ollama:llama3.1 (empty = offline engine)."
            )
        return cls(provider.strip().lower(), model.strip())


def install_hint(provider: str) -> str:
    """The command that installs support for ``provider``."""
    extra = EXTRAS.get(provider)
    if extra:
        return f"pip install -e '.[{extra}]'"
    return f"pip install langchain langchain-{provider} (no Parley extra bundles {provider!r})"


def build_chat_model(
    spec: ModelSpec,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float = 20.0,
    connect_timeout: float = 3.0,
    temperature: float = 0.3,
    max_tokens: int = 400,
) -> BaseChatModel:
    """The chat model through ``langchain.chat_models.init_chat_model``.

    Client-side retries are off: a rate limit or a dead endpoint must reach the engine at once
    so it can fall back within seconds instead of waiting out exponential backoff.
    """
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise LLMConfigError(
            f"PARLEY_LLM={spec.label} needs langchain: {install_hint(spec.provider)}"
        ) from exc
    options = provider_options(
        spec.provider,
        base_url=base_url,
        api_key=api_key,
        timeout=timeout,
        connect_timeout=connect_timeout,
        max_tokens=max_tokens,
    )
    try:
        return init_chat_model(
            spec.model, model_provider=spec.provider, temperature=temperature, **options
        )
    except ImportError as exc:
        raise LLMConfigError(
            f"PARLEY_LLM={spec.label} needs the {spec.provider} integration: "
            f"{install_hint(spec.provider)}"
        ) from exc
    except ValueError as exc:  # unknown provider, missing key, ...
        raise LLMConfigError(f"PARLEY_LLM={spec.label} cannot be used: {exc}") from exc


def provider_options(
    provider: str,
    *,
    base_url: str | None,
    api_key: str | None,
    timeout: float,
    connect_timeout: float,
    max_tokens: int,
) -> dict[str, Any]:
    """Keyword arguments for the provider's chat model class."""
    options: dict[str, Any] = {}
    if provider == "openai":
        import httpx  # a dependency of langchain-openai, so present whenever the provider is

        options["timeout"] = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
        options["max_retries"] = 0
        options["max_tokens"] = max_tokens
        if base_url:
            options["base_url"] = base_url
            options["api_key"] = api_key or UNUSED_KEY
        elif api_key:
            options["api_key"] = api_key
    elif provider == "anthropic":
        options["timeout"] = timeout
        options["max_retries"] = 0
        options["max_tokens"] = max_tokens
        if base_url:
            options["base_url"] = base_url
        if api_key:
            options["api_key"] = api_key
    elif provider == "ollama":
        options["num_predict"] = max_tokens
        options["client_kwargs"] = {"timeout": timeout}
        if base_url:
            options["base_url"] = base_url
    else:
        if base_url:
            options["base_url"] = base_url
        if api_key:
            options["api_key"] = api_key
    return options
