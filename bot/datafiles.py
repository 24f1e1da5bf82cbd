"""Reading Parley's YAML data files (prompts, knowledge) with libyaml's fast safe loader.

Every start reads a dozen of these; the pure-Python loader spent about a quarter of a second
of the cold start on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """The parsed contents of one UTF-8 YAML file (safe types only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
