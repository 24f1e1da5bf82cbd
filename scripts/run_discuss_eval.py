"""Run the team-discussion set through `parley discuss` and write what a facilitator would see.

    PYTHONPATH=. .venv/bin/python scripts/run_discuss_eval.py --set FILE --split heldout --out OUT

In a fresh data directory with the essay loaded (when ../shared has it): each topic through
`parley discuss prompt --topic T --json` (each in its own channel, so rotation does not mix
them), and each round's answers through `parley discuss reveal FILE --scenario S --question Q
--json`. The labels in the set are copied next to Parley's output for a blind judge.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"
PARLEY = [sys.executable, "-m", "bot"]


def _parley(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run([*PARLEY, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        return {"error": (done.stdout + done.stderr).strip()[-600:]}
    return json.loads(done.stdout)


def main(args: argparse.Namespace) -> None:
    env = {**os.environ, "PARLEY_DATA_DIR": tempfile.mkdtemp(prefix="parley-discuss-")}
    env["DISCORD_TOKEN"] = ""
    if ESSAY.is_file():
        subprocess.run([*PARLEY, "knowledge", "add", str(ESSAY)], env=env, cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
    data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    wanted = lambda item: args.split in ("all", item["split"])  # noqa: E731
    out = {"topics": [], "rounds": []}
    for n, topic in enumerate(t for t in data["topics"] if wanted(t)):
        shown = _parley(["discuss", "prompt", "--topic", topic["topic"], "--json",
                         "--channel", str(100 + n)], env)  # fmt: skip
        out["topics"].append({**topic, "parley": shown})
    for n, round_ in enumerate(r for r in data["rounds"] if wanted(r)):
        lines = "\n".join(
            f"{a['name']}: {' '.join(a['answer'].split())}" for a in round_["answers"]
        )
        answers = Path(env["PARLEY_DATA_DIR"]) / f"round-{n}.txt"
        answers.write_text(lines, encoding="utf-8")
        shown = _parley(["discuss", "reveal", str(answers), "--scenario", round_["scenario"],
                         "--question", round_["question"], "--json",
                         "--channel", str(200 + n)], env)  # fmt: skip
        out["rounds"].append({**round_, "parley": shown})
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(out['topics'])} topics, {len(out['rounds'])} rounds -> {args.out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    parser.add_argument("--out", type=Path, required=True)
    main(parser.parse_args())
