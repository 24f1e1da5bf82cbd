"""Prompt files are data: loaded and checked at start, with errors that name file and placeholder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.coaching.llm import LLMConfigError, PromptSet
from bot.coaching.llm.prompts import PROMPT_SPECS
from bot.settings import REPO_ROOT

SHIPPED = REPO_ROOT / "prompts" / "llm"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the shipped prompts to break."""
    return Path(shutil.copytree(SHIPPED, tmp_path / "llm"))


def test_shipped_prompts_load(prompts: PromptSet) -> None:
    assert set(prompts.templates) == set(PROMPT_SPECS)


@pytest.mark.parametrize("name", list(PROMPT_SPECS))
def test_missing_prompt_file_is_named(folder: Path, name: str) -> None:
    (folder / f"{name}.md").unlink()
    with pytest.raises(LLMConfigError, match=f"{name}.md is missing"):
        PromptSet.load(folder)


@pytest.mark.parametrize(
    ("name", "placeholder"), [(n, p) for n, needs in PROMPT_SPECS.items() for p in needs]
)
def test_missing_placeholder_is_named(folder: Path, name: str, placeholder: str) -> None:
    path = folder / f"{name}.md"
    path.write_text(path.read_text().replace("{" + placeholder + "}", "…"))
    with pytest.raises(LLMConfigError, match=f"lacks the placeholder.*{{{placeholder}}}"):
        PromptSet.load(folder)


def test_misspelt_placeholder_is_refused(folder: Path) -> None:
    path = folder / "coaching_turn.md"
    path.write_text(path.read_text() + "\n{mesage}\n")
    with pytest.raises(LLMConfigError, match=r"unknown placeholder\(s\) \{mesage\}"):
        PromptSet.load(folder)


def test_bad_rule_pattern_is_named(folder: Path) -> None:
    (folder / "output_rules.yaml").write_text("advice: ['(unclosed']\nreveal: ['x']\n")
    with pytest.raises(LLMConfigError, match="advice pattern"):
        PromptSet.load(folder)


def test_rendering_leaves_literal_braces_alone(prompts: PromptSet) -> None:
    text = prompts.render("system", dimensions="risk, stakes")
    assert '{"questions": [' in text and "risk, stakes" in text


def test_missing_folder_says_where_prompts_belong(tmp_path: Path) -> None:
    with pytest.raises(LLMConfigError, match="llm/ folder"):
        PromptSet.load(tmp_path / "nowhere")
