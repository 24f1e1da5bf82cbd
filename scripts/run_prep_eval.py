"""Run prep sessions from a YAML file through the terminal's prep service and write them for a judge.

    PYTHONPATH=. .venv/bin/python scripts/run_prep_eval.py --sessions FILE --split dev --out out.json

Builds a fresh data directory with the essay loaded (when ../shared/corpus has it) and plays each
session the way a user of `parley prep` would: the same ``PrepService`` calls the terminal makes
for an answer line, `/next`, `/finish` and `/risk RISK`. It writes, per session, every question
shown (with its citation), every answer given (with the question it answered), the final brief
and the ledger rows, as JSON.

How a session's ``answers`` are mapped to the questions:

- ``situation``, ``stakes``, ``alternatives``, ``reputation``, ``commitments``: a list of strings,
  given in order to the stage's questions as they are asked. When the list runs out the runner
  presses `/next`, leaving the stage's other questions open (they show up as open items).
- ``answer_keys`` (top level, optional): per list stage, the question key each item answers
  (``stakes: [yours, their_gains, not_at_table]``); a question of that stage with no item gets
  "not sure", and a follow-up there gets "not sure" rather than a later item.
- ``trust``: one item per "they will…" round; an item is ``{assumption, if_false, detection}``
  (any may be missing) or a plain string (the assumption). Each question of round N takes the
  item's value under its own key; a question whose key the item lacks takes the item's next
  unused value, or "not sure". When the items run out, `/next` ends the list.
- ``risks``: items ``{risk, bearer_answer, mechanism_answer, residual_answer}``. On entering the
  risk stage, an item whose risk matches a ledger row already there (a "they will…" from the
  trust audit, by shared words) answers that row; every other item is added with `/risk RISK`.
  Each row's questions take the item's answer for their column (bearer, mechanism, residual);
  a row no item matches is answered "not sure".
- A trust follow-up takes the stage's (or the row's) next unused answer, or "not sure".
- At the end the runner presses `/finish`. When Finish is held up by a question that must be
  answered (the other side's view, a pending follow-up) that question is answered "not sure"
  and `/finish` is pressed again; the first `/finish` that lists open items is confirmed with a
  second `/finish`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ESSAY = ROOT.parent / "shared" / "corpus" / "ap-insight-56-trust.txt"
OWNER = "terminal:eval"
NOT_SURE = "not sure"
LIST_STAGES = ("situation", "stakes", "alternatives", "reputation", "commitments")
RISK_COLUMNS = {
    "bearer": "bearer_answer",
    "mechanism": "mechanism_answer",
    "residual": "residual_answer",
}
MAX_STEPS = 300  # a runaway session (a follow-up loop) stops here instead of hanging the run
MATCH = 0.5  # share of an item's words a ledger row must hold to be that item's row


@dataclass(slots=True)
class Queue:
    """Answers still to give, by key (a stage question or ledger column) and in order."""

    values: list[tuple[str, str]] = field(default_factory=list)
    keyed: bool = False  # every answer is for one question: none is given to another

    def take(self, key: str = "") -> str | None:
        """The answer under ``key`` if unused, else the next unused one, else None."""
        for i, (k, _) in enumerate(self.values):
            if key and k == key:
                return self.values.pop(i)[1]
        return self.values.pop(0)[1] if self.values else None


@dataclass(slots=True)
class Plan:
    """One session's answers, consumed as the session asks for them."""

    answers: dict[str, Any]
    # A set's ``answer_keys``: the question each list item answers, by stage. A set written as
    # "yours, theirs, who else" gives its third stakes answer to "who is not at the table",
    # whatever question the session asks third; a question with no answer gets "not sure".
    keys: dict[str, list[str]] = field(default_factory=dict)
    stages: dict[str, Queue] = field(default_factory=dict)
    rounds: dict[int, Queue] = field(default_factory=dict)
    rows: dict[int, Queue] = field(default_factory=dict)
    risks_added: bool = False
    to_add: list[dict[str, Any]] | None = None  # risk items still to add with `/risk`

    def __post_init__(self) -> None:
        for stage in LIST_STAGES:
            given = [str(a) for a in self.answers.get(stage) or []]
            keys = self.keys.get(stage, ())
            if given and len(given) == len(keys):
                self.stages[stage] = Queue(list(zip(keys, given, strict=True)), keyed=True)
            else:
                self.stages[stage] = Queue([("", a) for a in given])
        for n, item in enumerate(self.answers.get("trust") or []):
            values = item.items() if isinstance(item, dict) else [("assumption", item)]
            self.rounds[n] = Queue([(str(k), str(v)) for k, v in values if v])

    def queue_for(self, stage: str, round_: int) -> Queue | None:
        """Where answers for a slot of ``stage`` (round or ledger row ``round_``) come from."""
        if stage == "trust":
            return self.rounds.get(round_)
        if stage == "risks":
            return self.rows.get(round_)
        return self.stages.get(stage)


def _words(text: str) -> set[str]:
    from bot.knowledge.retrieval import tokenize

    return set(tokenize(text))


def match_rows(items: Iterable[dict[str, Any]], rows: Iterable[Any]) -> tuple[dict, list]:
    """(row id → item for items that match a ledger row, items that match none)."""
    free = {row.id: _words(row.risk) for row in rows}
    matched: dict[int, dict[str, Any]] = {}
    unmatched = []
    for item in items:
        words = _words(str(item.get("risk", "")))
        share = {rid: len(words & w) / max(1, len(words)) for rid, w in free.items()}
        best = max(share, key=share.get, default=None)
        if best is not None and share[best] >= MATCH:
            matched[best] = item
            free.pop(best)
        else:
            unmatched.append(item)
    return matched, unmatched


def _row_queue(item: dict[str, Any]) -> Queue:
    return Queue([(col, str(item[key])) for col, key in RISK_COLUMNS.items() if item.get(key)])


def _shown(reply: Any) -> dict[str, Any]:
    """A reply as the user saw it: stage, notices, questions with their citations, message."""
    return {
        "stage": reply.stage_title,
        "stage_number": reply.stage_number,
        "notices": list(reply.notices),
        "slot": reply.slot,
        "follow_up": reply.follow_up,
        "questions": [
            {
                "question": q.text,
                "cites": q.passage.title or q.passage.source,
                "source": q.passage.source,
                "excerpt": q.passage.excerpt(400),
            }
            for q in reply.questions
        ],
        "message": reply.message,
    }


class SessionRun:
    """One session played through the prep service, recorded as it goes."""

    def __init__(self, service: Any, spec: dict[str, Any]) -> None:
        self.service = service
        self.spec = spec
        self.plan = Plan(spec.get("answers") or {}, spec.get("answer_keys") or {})
        self.transcript: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.session_id = ""

    async def play(self) -> dict[str, Any]:
        """Start, answer until finished (or stuck), and return the record."""
        from bot.prep.models import FINISHED

        reply = await self.service.start(OWNER, self.spec["counterpart"], self.spec["topic"])
        self.session_id = reply.session_id
        self._record(reply)
        finishing = 0
        for _ in range(MAX_STEPS):
            if reply.session.status == FINISHED:
                break
            line, finishing = await self._next_line(reply, finishing)
            if line is None:
                break
            reply = await self._send(line, reply)
        return await self._result()

    async def _next_line(self, reply: Any, finishing: int) -> tuple[str | None, int]:
        """What the user types next, and how many times Finish has been pressed."""
        stage = self._stage_id(reply)
        if stage == "risks" and not self.plan.risks_added:
            line = self._add_risks(reply)
            if line is not None:
                return line, finishing
        if finishing:
            if finishing > 8:
                return None, finishing
            if reply.questions and (reply.follow_up or reply.refused):
                return NOT_SURE, finishing
            return "/finish", finishing + 1
        if reply.questions:
            answer = self._answer_for(stage, reply)
            if answer is not None:
                return answer, 0
        if self.service.book[reply.stage_number - 1] is self.service.book[-1]:
            return "/finish", 1
        return "/next", 0

    def _answer_for(self, stage: str, reply: Any) -> str | None:
        """The planned answer for the question shown; None means press Next."""
        if reply.follow_up:
            pending = reply.session.follow_ups.get(stage) or {}
            queue = self.plan.queue_for(stage, int(pending.get("round", 0)))
            if queue is not None and queue.keyed:
                return NOT_SURE  # its answers belong to the stage's own questions
            return (queue.take() if queue else None) or NOT_SURE
        _, key, round_ = reply.slot.split("/")
        queue = self.plan.queue_for(stage, int(round_))
        if queue is not None and queue.keyed and queue.values and key not in dict(queue.values):
            return NOT_SURE
        answer = queue.take(key) if queue else None
        if answer is not None:
            return answer
        first = self.service.book[reply.stage_number - 1].questions[0].key
        if stage == "risks" or (stage == "trust" and key != first and queue is not None):
            return NOT_SURE  # an extra question inside a round or a row
        return None

    def _add_risks(self, reply: Any) -> str | None:
        """On entering the risk stage: tie items to the rows already there, then `/risk` the
        rest one by one; None once every item is in the ledger."""
        if self.plan.to_add is None:
            matched, self.plan.to_add = match_rows(
                self.plan.answers.get("risks") or [], reply.ledger
            )
            self.plan.rows |= {row_id: _row_queue(item) for row_id, item in matched.items()}
        if not self.plan.to_add:
            self.plan.risks_added = True
            return None
        return f"/risk {self.plan.to_add[0].get('risk', '')}"

    async def _send(self, line: str, reply: Any) -> Any:
        """One line, as the terminal handles it; refusals are recorded, the session goes on."""
        from bot.coaching.models import InputRejected
        from bot.terminal.prep import parse_risk

        entry: dict[str, Any] = {"sent": line}
        try:
            if line.startswith("/risk"):
                _, risk = parse_risk(line.removeprefix("/risk"))
                new = await self.service.save_risk(self.session_id, OWNER, risk)
                self._tie_new_row(reply, new)
            elif line.startswith("/"):
                new = await self.service.act(self.session_id, OWNER, line[1:])
            else:
                new = await self.service.answer(self.session_id, OWNER, line)
                self._log_answer(reply, line)
        except InputRejected as exc:
            if line.startswith("/risk") and self.plan.to_add:
                self.plan.to_add.pop(0)  # a risk the service refuses is not offered again
            entry["rejected"] = str(exc)
            self.transcript.append(entry)
            return reply
        self.transcript.append(entry)
        self._record(new)
        return new

    def _tie_new_row(self, before: Any, after: Any) -> None:
        """The row a `/risk` added is answered from the item that named it."""
        item = self.plan.to_add.pop(0) if self.plan.to_add else {}
        old = {row.id for row in before.ledger}
        for row in after.ledger:
            if row.id not in old:
                self.plan.rows[row.id] = _row_queue(item)

    def _log_answer(self, reply: Any, text: str) -> None:
        shown = [q.text for q in reply.questions]
        self.answers.append(
            {"stage": reply.stage_title, "slot": reply.slot, "question": shown, "answer": text}
        )

    def _record(self, reply: Any) -> None:
        shown = _shown(reply)
        last = next((e["shown"] for e in reversed(self.transcript) if "shown" in e), None)
        if last is not None and last["slot"] == shown["slot"] and _texts(last) == _texts(shown):
            shown["questions"] = []  # the same question re-shown after `/risk`, not asked again
        self.transcript.append({"shown": shown})

    def _stage_id(self, reply: Any) -> str:
        return self.service.book[reply.stage_number - 1].id

    async def _result(self) -> dict[str, Any]:
        record = await self.service.store.record(self.session_id)
        brief = await self.service.export(self.session_id, OWNER)
        shown = [e["shown"] for e in self.transcript if "shown" in e]
        return {
            "id": self.spec.get("id"),
            "split": self.spec.get("split"),
            "counterpart": self.spec["counterpart"],
            "topic": self.spec["topic"],
            "session": self.session_id,
            "status": record.session.status,
            "deal_kind": record.session.state.get("deal_kind"),
            "questions": [
                {**q, "stage": s["stage"], "slot": s["slot"], "follow_up": s["follow_up"]}
                for s in shown
                for q in s["questions"]
            ],
            "answers": self.answers,
            "transcript": self.transcript,
            "brief": brief.markdown,
            "ledger": [asdict(row) for row in record.ledger],
        }


async def run_session(service: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Play one session spec through ``service`` (a ``PrepService``) and return its record."""
    return await SessionRun(service, json.loads(json.dumps(spec))).play()


async def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(args.code))
    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-prep-eval-")
    from bot.app import build_app
    from bot.settings import Settings

    app = await build_app(Settings(_env_file=None))
    if ESSAY.is_file():
        await asyncio.to_thread(app.knowledge.add_paths, [ESSAY])
    data = yaml.safe_load(args.sessions.read_text(encoding="utf-8")) or {}
    keys = data.get("answer_keys") or {}
    wanted = [
        {"answer_keys": keys, **s}
        for s in data.get("sessions", [])
        if args.split in ("all", s.get("split"))
    ]
    out = {"essay": ESSAY.is_file(), "sessions": [await run_session(app.prep, s) for s in wanted]}
    await app.aclose()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str), "utf-8")
    print(f"{len(out['sessions'])} sessions -> {args.out}")


def _texts(shown: dict[str, Any]) -> list[str]:
    """The question texts of one reply (citations may differ between two showings)."""
    return [q["question"] for q in shown["questions"]]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=Path, required=True, help="the sessions YAML file")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot/ to run")
    asyncio.run(main(parser.parse_args()))
