"""The LLM prompt files in ``prompts/llm/``: loaded once at start and checked for placeholders.

Placeholders are ``{name}``. Only known names are replaced, so literal braces (the JSON example
in ``system.md``) need no escaping; an unknown ``{name}`` is refused so a typo shows at start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from bot.coaching.llm.errors import LLMConfigError

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")

# Each prompt and the placeholders it must contain; the code fills exactly these.
PROMPT_SPECS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "system": ("dimensions",),
        "coaching_turn": (
            "message",
            "trust_analysis",
            "passages",
            "passage_ids",
            "uncovered",
            "history",
            "max_questions",
        ),
        "repair": ("errors", "max_questions", "passage_ids"),
        "prep_stage": (
            "stage",
            "stage_goal",
            "answers",
            "passages",
            "passage_ids",
            "uncovered",
            "max_questions",
        ),
        "discussion": ("topic", "notes", "passages", "passage_ids", "max_questions"),
        "divergence_summary": ("topic", "positions"),
    }
)


@dataclass(frozen=True, slots=True)
class OutputRules:
    """Patterns that make a question advice or a revealed answer (``output_rules.yaml``)."""

    advice: tuple[re.Pattern[str], ...]
    reveal: tuple[re.Pattern[str], ...]
    voice: tuple[re.Pattern[str], ...] = ()
    # Stems of negotiation words any question may use without echoing the message.
    topic: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> OutputRules:
        """Read and compile the rules; a bad pattern names itself at start."""
        data = _read_yaml(path)
        return cls(
            advice=_compile(path, data, "advice"),
            reveal=_compile(path, data, "reveal"),
            voice=_compile(path, data, "voice", required=False),
            topic=frozenset(
                w.lower()[:5] for w in data.get("topic") or [] if isinstance(w, str) and w.strip()
            ),
        )


@dataclass(frozen=True, slots=True)
class PromptSet:
    """Every LLM prompt, checked, ready to be filled."""

    folder: Path
    templates: MappingProxyType[str, str]
    rules: OutputRules

    @classmethod
    def load(cls, folder: Path) -> PromptSet:
        """Read ``folder`` (normally ``prompts/llm``); raise ``LLMConfigError`` on any problem."""
        if not folder.is_dir():
            raise LLMConfigError(
                f"The LLM prompt folder {folder} does not exist; PARLEY_PROMPTS_DIR must contain "
                "an llm/ folder (the repository ships one in prompts/llm)."
            )
        templates = {
            name: _load_template(folder, name, needs) for name, needs in PROMPT_SPECS.items()
        }
        rules = OutputRules.load(folder / "output_rules.yaml")
        return cls(folder, MappingProxyType(templates), rules)

    def render(self, name: str, **values: object) -> str:
        """Fill prompt ``name``; every placeholder it declares must be given."""
        missing = set(PROMPT_SPECS[name]) - set(values)
        if missing:
            raise KeyError(f"prompt {name!r} needs {sorted(missing)}")
        text = self.templates[name]
        return _PLACEHOLDER.sub(
            lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text
        ).strip()


def _load_template(folder: Path, name: str, needs: tuple[str, ...]) -> str:
    path = folder / f"{name}.md"
    if not path.is_file():
        raise LLMConfigError(f"The LLM prompt file {path} is missing.")
    text = path.read_text(encoding="utf-8")
    found = set(_PLACEHOLDER.findall(text))
    missing = [n for n in needs if n not in found]
    if missing:
        raise LLMConfigError(
            f"The LLM prompt file {path} lacks the placeholder(s) "
            + ", ".join("{" + n + "}" for n in missing)
            + "; put each back where that text belongs."
        )
    unknown = sorted(found - set(needs))
    if unknown:
        raise LLMConfigError(
            f"The LLM prompt file {path} uses unknown placeholder(s) "
            + ", ".join("{" + n + "}" for n in unknown)
            + "; known here: "
            + ", ".join("{" + n + "}" for n in needs)
        )
    return text


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise LLMConfigError(f"The LLM output rules file {path} is missing.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise LLMConfigError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise LLMConfigError(f"{path} must map 'advice' and 'reveal' to lists of patterns.")
    return data


def _compile(
    path: Path, data: dict, key: str, *, required: bool = True
) -> tuple[re.Pattern[str], ...]:
    patterns = data.get(key)
    if not required and patterns is None:
        return ()
    if not isinstance(patterns, list) or (required and not patterns):
        raise LLMConfigError(f"{path} needs a non-empty list under {key!r}.")
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(str(pattern), re.I))
        except re.error as exc:
            raise LLMConfigError(
                f"{path}: the {key} pattern {pattern!r} is invalid: {exc}"
            ) from exc
    return tuple(compiled)
