"""One settings class; every setting documented in `.env.example`; secrets have no defaults."""

from __future__ import annotations

import re

import pytest

from bot.settings import REPO_ROOT, Settings

EXAMPLE = REPO_ROOT / ".env.example"


def documented() -> dict[str, str]:
    """Each variable in .env.example with the comment line just above it."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    found = {}
    for i, line in enumerate(lines):
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]*)=", line)
        if match:
            found[match.group(1)] = lines[i - 1] if i else ""
    return found


@pytest.mark.parametrize("alias", [f.alias for f in Settings.model_fields.values()])
def test_every_setting_is_in_env_example_with_a_comment(alias: str) -> None:
    assert alias in documented()
    assert documented()[alias].startswith("#")


def test_env_example_loads_as_it_ships() -> None:
    settings = Settings(_env_file=EXAMPLE)
    assert settings.discord_token is None and settings.top_k == 3


@pytest.mark.parametrize(
    "name", [n for n, f in Settings.model_fields.items() if "token" in n or "key" in n]
)
def test_secrets_have_no_default(name: str) -> None:
    assert Settings.model_fields[name].default is None


@pytest.mark.parametrize(("alias", "value"), [("PARLEY_TOP_K", "0"), ("PARLEY_TOP_K", "many")])
def test_invalid_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, alias: str, value: str
) -> None:
    monkeypatch.setenv(alias, value)
    with pytest.raises(ValueError, match=alias):
        Settings(_env_file=None)
