"""`parley discuss prompt|reveal`: the Discord service, in a terminal (``bot/cli.py`` adds it).

Facilitators use it to prepare a session; tests and evaluations use it to see exactly what a
team would see. It runs on the data dir of ``PARLEY_DATA_DIR``, fresh or existing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from bot.app import Parley, build_app
from bot.coaching.models import InputRejected, Passage, Question
from bot.discuss.prompts import DiscussionPrompt
from bot.discuss.report import prompt_json, prompt_text, reveal_json, reveal_text
from bot.discuss.scenarios import Scenario
from bot.settings import Settings

# The terminal is one channel of its own server, so its rotation memory is its own.
TERMINAL_SERVER = 0
TERMINAL_CHANNEL = 1
_ANSWER_LINE = re.compile(r"^\s*([^:]{1,80}):\s*(.+?)\s*$")


def add_discuss_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `parley discuss prompt` and `parley discuss reveal`."""
    discuss = subparsers.add_parser("discuss", help="team discussion prompts and private reveals")
    sub = discuss.add_subparsers(dest="action", required=True)
    prompt = sub.add_parser("prompt", help="a cited scenario and questions, on a topic or not")
    prompt.add_argument("--topic", help="what the team wants to discuss")
    reveal = sub.add_parser("reveal", help="compare a round's answers (a file of 'name: answer')")
    reveal.add_argument("answers", type=Path, help="one 'name: answer' per line ('-': stdin)")
    reveal.add_argument("--topic", help="the topic the prompt was made for")
    reveal.add_argument("--scenario", help="the scenario the team answered, as text")
    reveal.add_argument("--question", action="append", default=[], help="a question asked")
    for parser in (prompt, reveal):
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--channel", type=int, default=TERMINAL_CHANNEL, help="channel id")
    prompt.set_defaults(handler=cmd_discuss_prompt)
    reveal.set_defaults(handler=cmd_discuss_reveal)


async def cmd_discuss_prompt(args: argparse.Namespace, settings: Settings) -> int:
    """Print a prompt and remember it, so the next one without a topic is a new event."""
    app = await build_app(settings)
    try:
        prompt = await _prompt(app, args.topic, args.channel)
        await app.discussions.remember(TERMINAL_SERVER, args.channel, prompt)
    except InputRejected as exc:
        return _refused(exc, args.json)
    finally:
        await app.aclose()
    print(json.dumps(prompt_json(prompt)) if args.json else prompt_text(prompt), flush=True)
    return 0


async def cmd_discuss_reveal(args: argparse.Namespace, settings: Settings) -> int:
    """Run a whole private round on the given answers and print its reveal."""
    answers = read_answers_file(args.answers)
    if not answers:
        return _refused(InputRejected(f"No 'name: answer' lines in {args.answers}."), args.json)
    if not (args.topic or args.scenario):
        return _refused(InputRejected("Say what was asked: --topic T or --scenario S."), args.json)
    app = await build_app(settings)
    try:
        prompt = await _asked(app, args)
        reveal = await app.discussions.reveal_answers(
            TERMINAL_SERVER, args.channel, prompt, answers
        )
    except InputRejected as exc:
        return _refused(exc, args.json)
    finally:
        await app.aclose()
    data = app.discussions.data
    print(json.dumps(reveal_json(reveal)) if args.json else reveal_text(reveal, data), flush=True)
    return 0


def read_answers_file(path: Path) -> list[tuple[str, str]]:
    """``name: answer`` lines; a line without a name continues the answer above it."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    answers: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _ANSWER_LINE.match(line)
        if match:
            answers.append((match.group(1).strip(), match.group(2)))
        elif line.strip() and answers:
            name, answer = answers[-1]
            answers[-1] = (name, f"{answer} {line.strip()}")
    return answers


async def _prompt(app: Parley, topic: str | None, channel: int) -> DiscussionPrompt:
    return await app.discussions.prompt(TERMINAL_SERVER, channel, topic)


async def _asked(app: Parley, args: argparse.Namespace) -> DiscussionPrompt:
    """What the team answered: the given scenario and questions, or the topic's prompt."""
    if not args.scenario:
        prompt = await _prompt(app, args.topic, args.channel)
        return _with_questions(prompt, args.question) if args.question else prompt
    scenario = Scenario(
        key="terminal:scenario",
        title=args.topic or args.scenario[:60],
        text=args.scenario,
        source="the facilitator",
        scope="global",
        perspective=app.discussions.perspective_of(args.scenario),
    )
    return _with_questions(DiscussionPrompt(scenario, ()), args.question)


def _with_questions(prompt: DiscussionPrompt, questions: list[str]) -> DiscussionPrompt:
    """The prompt with the facilitator's own questions, which cite nothing."""
    given = Passage(source="the facilitator", text="", score=0.0, title="the facilitator")
    asked = tuple(Question(q, "", "terminal", "", given) for q in questions)
    return DiscussionPrompt(prompt.scenario, asked)


def _refused(exc: InputRejected, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": str(exc)}), flush=True)
    else:
        print(exc, file=sys.stderr)
    return 1
