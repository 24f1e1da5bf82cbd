"""The async face of prep sessions: what the Discord cog and the terminal call.

Questions come from the coach: stage questions are grounded by its retriever, answers are read
by its trust lens, and an answer that leans on trust gets follow-ups from its question engine.
Every answer is stored before anything else happens, so a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from bot.coaching.coach import Coach
from bot.coaching.models import Question, TrustReading
from bot.knowledge.store import GLOBAL_SCOPE
from bot.prep import ledger as kinds
from bot.prep.brief import build_brief
from bot.prep.expiry import Due, ExpiryPolicy, sweep
from bot.prep.mechanisms import refuses_outright
from bot.prep.models import (
    ACTIONS,
    ACTIVE,
    ASSUMPTION_RISK,
    ASSUMPTION_UNTRUE,
    CONFIRM,
    FINISH,
    FINISHED,
    NAVIGATION,
    PAUSED,
    Brief,
    LedgerChange,
    LedgerRow,
    NewAnswer,
    NotSessionOwner,
    PrepError,
    PrepSession,
    Reply,
    RiskInput,
    SessionNotFound,
    SessionSummary,
    promised,
    utcnow,
)
from bot.prep.questions import Questions, follow_up_slot
from bot.prep.riskmap import render_risk_map
from bot.prep.stages import Slot, Stage, StageBook, load_stages
from bot.prep.store import PrepStore
from bot.prep.walk import (
    Target,
    answered,
    clean_answer,
    current_slot,
    filled,
    leans_on_trust,
    missing_perspective,
    open_items,
    target,
    trust_phrase,
)
from bot.settings import Settings
from bot.storage.database import Database, DatabaseUnavailable

NOT_SAVED = (
    "Your answer was not saved; send it again in a moment. Everything you answered before is safe."
)
FIELD_LIMITS = {"counterpart": 200, "topic": 300, "risk": 300, "bearer": 300, "mechanism": 500}
# The stages whose answers re-read the kind (situation, stakes): what the deal is about.
KIND_STAGES = 2
# Set by a first Finish that listed open items: the next Finish writes the brief.
CONFIRMING = "confirm_finish"
# The ledger risk a "they will…" becomes when the trust audit writes it down.
# A risk added by hand restates an unanswered trust-audit row at this embedding similarity
# (with this lead over the next row); measured on sessions' risks, below it pairs go wrong.
SAME_RISK = 0.6
SAME_MARGIN = 0.1


class PrepService:
    """Runs prep sessions: one lock per session, every change written at once."""

    def __init__(
        self,
        store: PrepStore,
        coach: Coach,
        book: StageBook,
        policy: ExpiryPolicy,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.coach = coach
        self.book = book
        self.policy = policy
        # Injectable so tests (and the expiry sweep) can move time.
        self.clock = clock
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.questions = Questions(store, coach, lambda: self.clock())

    # -- starting and finding sessions --------------------------------------------------------

    async def start(
        self,
        owner: str,
        counterpart: str,
        topic: str,
        *,
        channel: str = "",
        scopes: Collection[str] = (GLOBAL_SCOPE,),
    ) -> Reply:
        """Open a session at stage 1 and ask its first question."""
        counterpart = _required(counterpart, "counterpart", "who you are negotiating with")
        topic = _required(topic, "topic", "what the negotiation is about")
        now = self.clock()
        session = PrepSession(
            id=await self._new_id(),
            owner=owner,
            counterpart=counterpart,
            topic=topic,
            stage=0,
            status=ACTIVE,
            state={"scopes": list(scopes), "follow_ups": {}, "skipped": []},
            channel=channel,
            created_at=now,
            updated_at=now,
        )
        session.state["deal_kind"] = await asyncio.to_thread(self._deal_kind, topic)
        await self.store.create(session)
        return await self._reply(session, header=True)

    def _deal_kind(self, text: str) -> str | None:
        """The kind of deal the text names, as the coach's reader reads it (blocking); None
        unless the reading is clear, as every stage builds on it and a wrong kind (a software
        renewal for a packaging supplier) reads worse than none."""
        reader = self.coach.reader
        # Real evidence: the words of the kind in the user's own text, not only an embedding
        # near it (a pottery order read as a software renewal from "order" and "Christmas").
        return reader.read(text).deal.evident_kind if reader else None

    def _reread_kind(self, session: PrepSession, said: Sequence[str]) -> str | None:
        """The kind after another early answer: the topic and every answer so far, read again.

        A clear reading wins (it may correct the kind the topic gave); an unclear one keeps
        the kind only when the whole text still leans to it, and otherwise leaves the kind
        unsure (None), as a contradicted kind must not word the questions.
        """
        text = " ".join([f"{session.topic}.", *said])
        clear = self._deal_kind(text)
        if clear is not None:
            return clear
        current = session.state.get("deal_kind")
        reader = self.coach.reader
        deal = reader.read(text).deal if reader and current else None
        return current if deal is not None and deal.kind == current else None

    def _parties(self, session: PrepSession) -> kinds.Parties:
        """The session's parties: its counterpart, and its deal kind's role words."""
        reader = self.coach.reader
        if reader is None:
            return kinds.Parties.of(session.counterpart)
        return kinds.deal_parties(session.counterpart, reader.kinds, session.state.get("deal_kind"))

    async def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(4)
            if not await self.store.exists(candidate):
                return candidate

    async def show(self, session_id: str, owner: str) -> Reply:
        """Resume: the current stage, its question and buttons; a paused session is active again."""
        async with self._lock(session_id):
            session = await self._owned(session_id, owner)
            if session.status == PAUSED:
                session.status = ACTIVE
                await self._touch_and_save(session)
            return await self._reply(session, header=True)

    async def session(self, session_id: str, owner: str) -> PrepSession:
        """The owner's session by id; raises ``SessionNotFound`` or ``NotSessionOwner``."""
        return await self._owned(session_id, owner)

    async def latest(self, owner: str, *, unfinished: bool = True) -> PrepSession | None:
        """The owner's most recently used session (by default, of those not finished)."""
        sessions = await self.store.for_owner(owner)
        return next((s for s in sessions if not unfinished or s.status != FINISHED), None)

    async def find_by_channel(self, channel: str) -> PrepSession | None:
        """The session shown in a channel, if any."""
        return await self.store.by_channel(channel)

    async def channels(self, owner_prefix: str) -> dict[str, str]:
        """Channel → session id for one front end's sessions that have a channel."""
        sessions = await self.store.with_owner_prefix(owner_prefix)
        return {s.channel: s.id for s in sessions if s.channel}

    async def bind(self, session_id: str, owner: str, channel: str) -> None:
        """Show a session in a (new) channel from now on."""
        async with self._lock(session_id):
            session = await self._owned(session_id, owner)
            session.channel = channel
            await self.store.save(session)

    async def detach(self, channel: str) -> PrepSession | None:
        """The session's channel is gone (thread deleted): pause it and forget the channel."""
        session = await self.store.by_channel(channel)
        if session is None:
            return None
        async with self._lock(session.id):
            session.channel = ""
            if session.status == ACTIVE:
                session.status = PAUSED
            await self.store.save(session)
        return session

    async def summaries(self, owner: str, now: datetime | None = None) -> list[SessionSummary]:
        """The owner's sessions for a listing, with their expiry."""
        now = now or self.clock()
        return [self._summary(s, now) for s in await self.store.for_owner(owner)]

    def _summary(self, session: PrepSession, now: datetime) -> SessionSummary:
        stage = self.book[session.stage]
        return SessionSummary(
            id=session.id,
            counterpart=session.counterpart,
            topic=session.topic,
            stage_number=session.stage + 1,
            stage_title=stage.title,
            status=session.status,
            updated_at=session.updated_at,
            expires_at=self.policy.expires_at(session),
            expiring=self.policy.expiring(session, now),
        )

    # -- answers ---------------------------------------------------------------------------

    async def answer(self, session_id: str, owner: str, text: str) -> Reply:
        """Store an answer at once; then read it through the trust lens and ask what comes next."""
        async with self._lock(session_id):
            try:
                session, notices = await self._store_answer(session_id, owner, text)
            except DatabaseUnavailable as exc:
                raise DatabaseUnavailable(f"{exc} {NOT_SAVED}") from exc
            return await self._reply(session, notices=notices)

    async def _store_answer(
        self, session_id: str, owner: str, text: str
    ) -> tuple[PrepSession, list[str]]:
        """Place the answer, work out its effects, and write it all in one transaction."""
        session = await self._open(session_id, owner)
        cleaned = clean_answer(text, max_chars=self.coach.max_chars, lens=self.coach.lens)
        reading = self.coach.lens.read(cleaned.text)
        answers = await self.store.answers(session.id)
        ledger = await self.store.ledger(session.id)
        where = target(session, self.book, answers, ledger)
        leans = self._leans(session, cleaned.text, reading) and not where.expects_trust
        change = self._ledger_change(session, where, cleaned.text, reading, ledger)
        change = change or self._free_risk(session, where, cleaned.text, reading, ledger)
        self._follow_up_state(session, where, cleaned.text, reading, leans)
        if self.book.index(where.stage.id) < KIND_STAGES and not where.follow_up:
            # A bare topic ("annual renewal and pricing") may name no kind, or the wrong one;
            # the early answers tell, and every later question builds on the kind.
            early = {self.book[i].id for i in range(KIND_STAGES)}
            said = [a.text for a in answers if a.stage in early and not a.follow_up]
            session.state["deal_kind"] = await asyncio.to_thread(
                self._reread_kind, session, [*said, cleaned.text]
            )
        session.state.pop(CONFIRMING, None)  # a new answer may close an open item
        session.status = ACTIVE
        self._touch(session)
        await self.store.record_answer(
            session, _new_answer(where, cleaned.text, reading, leans), change
        )
        notices = ["Saved.", *cleaned.notices]
        if leans:
            notices.append(_follow_up_notice(reading))
        return session, notices

    def _read(
        self, session: PrepSession, text: str, reading: TrustReading, risk: str = ""
    ) -> kinds.AnswerReading:
        """The ledger's reading of an answer, in the user's words and, for an answer in
        another language, its glossed key words too ("condition suspensive de prêt")."""
        return kinds.read_answer(
            self._glossed(text), reading, self._parties(session), risk=risk or text
        )

    def _glossed(self, text: str) -> str:
        reader = self.coach.reader
        language = reader.languages.detect(text) if reader else "en"
        english = reader.gloss.english(text, language) if reader and language != "en" else ""
        return f"{text}. {english}" if english else text

    def _leans(self, session: PrepSession, text: str, reading: TrustReading) -> bool:
        """Leans on trust: by the lens, or by refusing a safeguard on trust ("I won't insult her
        by asking for a penalty clause"), which the lens reads as weighing a mechanism."""
        if leans_on_trust(reading):
            return True
        read = self._read(session, text, reading)
        refused = bool(read.refused) or refuses_outright(text)
        return refused and kinds.is_trust_only(read.mechanism)

    def _follow_up_state(
        self, session: PrepSession, where: Target, text: str, reading: TrustReading, leans: bool
    ) -> None:
        """A trust-leaning answer opens a follow-up; a plain answer to one closes it."""
        if leans:
            session.follow_ups[where.stage.id] = {
                "id": secrets.token_hex(4),
                "question": where.question_key,
                "round": where.round,
                "text": text,
                "cue": trust_phrase(reading),
            }
        elif where.follow_up:
            session.follow_ups.pop(where.stage.id, None)

    def _ledger_change(
        self,
        session: PrepSession,
        where: Target,
        text: str,
        reading: TrustReading,
        ledger: Sequence[LedgerRow],
    ) -> LedgerChange | None:
        """What an answer writes into the ledger: a new risk, or one column of a row."""
        column = where.question.ledger if where.question else ""
        if column == "assumption" and not where.follow_up:
            return LedgerChange(None, _assumption_row(text, where.round))
        row = next((r for r in ledger if r.id == where.round), None)
        if not column or row is None:
            return None
        read = self._read(session, text, reading, risk=row.risk)
        if where.follow_up:
            # A follow-up asks what covers the trust: it can only bring a mechanism, and it
            # never overwrites the bearer or the residual the user already gave.
            covered = row.mechanism and not kinds.is_trust_only(row.mechanism_kind)
            if covered or read.mechanism in (kinds.TRUST_ONLY, kinds.ACCEPTED):
                return None
            return LedgerChange(row.id, _mechanism_values(text, read))
        return LedgerChange(row.id, _column_values(column, text, read, row))

    def _free_risk(
        self,
        session: PrepSession,
        where: Target,
        text: str,
        reading: TrustReading,
        ledger: Sequence[LedgerRow],
    ) -> LedgerChange | None:
        """A risk named in free text becomes a row: any note in the risk stage, or an answer
        anywhere that says "the risk is…" (unless the ledger already holds that risk)."""
        in_risk_stage = where.stage.repeat == "ledger" and where.question is None
        if where.follow_up or not (in_risk_stage or kinds.names_risk(text)):
            return None
        read = self._read(session, text, reading)
        if any(r.risk.lower() == read.risk.lower() for r in ledger):
            return None
        return LedgerChange(None, _free_row(text, read))

    # -- buttons ---------------------------------------------------------------------------

    async def act(
        self, session_id: str, owner: str, action: str, *, shown_stage: int | None = None
    ) -> Reply:
        """Next, Back, Skip, Pause or Finish.

        ``shown_stage`` is the stage (0-based) of the message whose button was pressed: moving
        from a stale message would skip or repeat a stage the user is not looking at.
        """
        if action not in NAVIGATION:
            raise PrepError(f"Unknown action {action!r}; use one of {', '.join(NAVIGATION)}.")
        async with self._lock(session_id):
            session = await self._open(session_id, owner)
            if action not in (FINISH, CONFIRM):
                session.state.pop(CONFIRMING, None)  # the listing is stale once anything moves
            if action in _MOVES and shown_stage is not None and shown_stage != session.stage:
                return await self._refuse(session, _STALE.format(n=session.stage + 1))
            handler = getattr(self, f"_{action}")
            return await handler(session)

    async def _next(self, session: PrepSession) -> Reply:
        stage = self.book[session.stage]
        if stage.id in session.follow_ups:
            return await self._refuse(session, _PENDING.format(title=stage.title), questions=True)
        if session.stage == len(self.book) - 1:
            return await self._refuse(
                session, "This is the last stage. Press Finish to write your brief."
            )
        session.stage += 1
        await self._touch_and_save(session)
        return await self._reply(session, header=True)

    async def _back(self, session: PrepSession) -> Reply:
        if session.stage == 0:
            return await self._refuse(
                session, "This is the first stage; there is nothing before it."
            )
        session.stage -= 1
        # Going back is how to return to what was skipped, so the stage's skips are undone.
        prefix = self.book[session.stage].id + "/"
        session.state["skipped"] = [k for k in session.skipped if not k.startswith(prefix)]
        await self._touch_and_save(session)
        return await self._reply(session, header=True)

    async def _skip(self, session: PrepSession) -> Reply:
        stage = self.book[session.stage]
        if stage.id in session.follow_ups:
            return await self._refuse(session, _PENDING.format(title=stage.title), questions=True)
        slot = await self._current_slot(session)
        if slot is None:
            return await self._refuse(
                session, f"Nothing is left to skip in {stage.title}. Press Next."
            )
        if slot.question.perspective:
            return await self._refuse(session, _perspective_text(session), questions=True)
        session.skipped.append(slot.key)
        await self._touch_and_save(session)
        return await self._reply(session, notices=["Skipped; it stays on the brief's open items."])

    async def _pause(self, session: PrepSession) -> Reply:
        session.status = PAUSED
        await self._touch_and_save(session)
        stage = self.book[session.stage]
        text = (
            f"Paused at stage {session.stage + 1} ({stage.title}). Everything you answered is "
            f"saved; resume session {session.id} whenever you are ready."
        )
        return await self._reply(session, message=text, questions=False)

    async def _finish(self, session: PrepSession) -> Reply:
        """First Finish lists what is still open and asks to confirm; the second one (or
        Confirm) writes the brief. With nothing open, the first one writes it."""
        blocked = await self._finish_blocker(session)
        if blocked is not None:
            return blocked
        record = await self.store.record(session.id)
        items = open_items(record, self.book) if record else []
        if items and not session.state.get(CONFIRMING):
            session.state[CONFIRMING] = True
            await self._touch_and_save(session)
            return await self._confirmation(session, items)
        return await self._write_brief(session)

    async def _confirm(self, session: PrepSession) -> Reply:
        """The Confirm button: finish with the open items open (the blockers still hold)."""
        blocked = await self._finish_blocker(session)
        return blocked if blocked is not None else await self._write_brief(session)

    async def _confirmation(self, session: PrepSession, items: Sequence[str]) -> Reply:
        listed = "\n".join(f"- {item}" for item in items)
        reply = await self._reply(
            session, message=self.book.say("finish_confirm", items=listed), questions=False
        )
        return replace(reply, actions=(CONFIRM, *reply.actions))

    async def _write_brief(self, session: PrepSession) -> Reply:
        session.status = FINISHED
        session.follow_ups.clear()
        session.state.pop(CONFIRMING, None)
        await self._touch_and_save(session)
        brief = await self._brief(session.id)
        text = "Finished. Here are your brief and risk map; export them again any time."
        return await self._reply(session, message=text, brief=brief)

    async def _finish_blocker(self, session: PrepSession) -> Reply | None:
        """A refusal that takes the user to what is missing, or None when Finish may go ahead."""
        if session.follow_ups:
            stage_id = next(iter(session.follow_ups))
            session.stage = self.book.index(stage_id)
            await self._touch_and_save(session)
            text = _PENDING.format(title=self.book[session.stage].title)
            return await self._refuse(session, text, questions=True, header=True)
        missing = missing_perspective(self.book, answered(await self.store.answers(session.id)))
        if missing:
            session.stage = self.book.index(missing[0].stage.id)
            await self._touch_and_save(session)
            return await self._refuse(
                session, _perspective_text(session), questions=True, header=True
            )
        return None

    # -- the risk ledger -----------------------------------------------------------------

    async def save_risk(
        self, session_id: str, owner: str, risk: RiskInput, row_id: int | None = None
    ) -> Reply:
        """Add a ledger row, or edit one (the modal and ``/risk``)."""
        if not risk.risk.strip():
            raise PrepError(
                "Nothing was saved: the risk field was empty. Describe the risk in a few words "
                '(for example "the roof still leaks after we move in"), then who bears it.'
            )
        async with self._lock(session_id):
            session = await self._open(session_id, owner)
            await self._check_row(session, row_id)
            session.state.pop(CONFIRMING, None)
            self._touch(session)
            values = self._row_values(risk, session)
            same = None
            if row_id is None:
                same = await asyncio.to_thread(
                    self._same_assumption, values["risk"], await self.store.ledger(session.id)
                )
            if same is not None:
                values["assumption"] = same.assumption
            change = LedgerChange(row_id, values, replaces=same.id if same else None)
            try:
                row = await self.store.change_ledger(session, change)
            except DatabaseUnavailable as exc:
                raise DatabaseUnavailable(f"{exc} The risk was not saved; try again.") from exc
            ledger = await self.store.ledger(session.id)
            position = next(r.position for r in ledger if r.id == row)
            verb = "updated" if row_id is not None else "added"
            notice = f"Risk {position} {verb}."
            if same is not None:
                notice = (
                    f"Risk {position} updated: it is the same risk as your trust audit's "
                    f'"{same.risk}", so the row now reads "{values["risk"]}".'
                )
            return await self._reply(session, notices=[notice])

    def _same_assumption(self, risk: str, ledger: Sequence[LedgerRow]) -> LedgerRow | None:
        """The trust audit's row a new risk restates ("finish date slips past June" for "Not
        kept: he'll finish by end of June"), so one risk is one row; None when none clearly is.

        Only a row nothing has answered yet is taken over, and only on a clear match: close in
        meaning and clearly closer than any other such row (a wrong merge loses a risk).
        """
        reader = self.coach.reader
        rows = [
            r
            for r in ledger
            if r.assumption is not None and not (r.bearer or r.mechanism or r.residual)
        ]
        if reader is None or not rows:
            return None
        new = np.asarray(reader.embed(risk), dtype=np.float32)
        scored = sorted(
            (
                (float(new @ np.asarray(reader.embed(promised(r.risk)), dtype=np.float32)), r)
                for r in rows
            ),
            key=lambda pair: -pair[0],
        )
        best, row = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else -1.0
        return row if best >= SAME_RISK and best - runner_up >= SAME_MARGIN else None

    async def _check_row(self, session: PrepSession, row_id: int | None) -> None:
        """An edit must name a row of this session's ledger."""
        if row_id is None:
            return
        if row_id not in {r.id for r in await self.store.ledger(session.id)}:
            raise PrepError("That ledger row no longer exists; add the risk again.")

    def _row_values(self, risk: RiskInput, session: PrepSession) -> dict[str, Any]:
        mechanism = _clip(risk.mechanism, "mechanism")
        parties = self._parties(session)
        # One reading, the ledger's, for each column: a refused or merely weighed safeguard
        # ("I could ask for a penalty… I'll just trust him") is trust only here as in chat.
        held = kinds.read_answer(mechanism, self.coach.lens.read(mechanism), parties)
        bearer = kinds.read_answer(risk.bearer, self.coach.lens.read(risk.bearer), parties)
        return {
            "risk": _clip(risk.risk, "risk"),
            "bearer": _clip(risk.bearer, "bearer"),
            "mechanism": mechanism,
            "residual": _clip(risk.residual, "mechanism"),
            "bearer_kind": bearer.bearer,
            "mechanism_kind": held.mechanism,
        }

    async def ledger(self, session_id: str, owner: str) -> list[LedgerRow]:
        """The session's ledger rows (for an edit picker)."""
        session = await self._owned(session_id, owner)
        return await self.store.ledger(session.id)

    # -- brief, export, delete -------------------------------------------------------------

    async def export(self, session_id: str, owner: str) -> Brief:
        """The brief and risk map as they stand (a draft if the session is not finished)."""
        session = await self._owned(session_id, owner)
        return await self._brief(session.id)

    async def _brief(self, session_id: str) -> Brief:
        record = await self.store.record(session_id)
        if record is None:
            raise SessionNotFound(_not_found(session_id))
        name = Brief(session_id, "", b"").png_name

        def build() -> Brief:
            markdown = build_brief(record, self.book, risk_map_name=name)
            return Brief(session_id, markdown, render_risk_map(record))

        # matplotlib and string building are CPU work: keep the event loop free.
        return await asyncio.to_thread(build)

    async def delete(self, session_id: str, owner: str) -> PrepSession:
        """Delete a session and all its answers; returns what it was (for its channel)."""
        async with self._lock(session_id):
            session = await self._owned(session_id, owner)
            await self.store.delete(session.id)
        self._locks.pop(session.id, None)
        return session

    # -- expiry ------------------------------------------------------------------------------

    async def due_for_expiry(self, owner_prefix: str, now: datetime | None = None) -> Due:
        """One front end's sessions due a warning, and those due deletion."""
        sessions = await self.store.with_owner_prefix(owner_prefix)
        return sweep(self.policy, sessions, now or self.clock())

    async def mark_warned(self, session: PrepSession, now: datetime | None = None) -> None:
        """Record that the owner was told; deletion waits at least the warning time from now."""
        async with self._lock(session.id):
            fresh = await self.store.get(session.id)
            if fresh is None or fresh.updated_at != session.updated_at:
                return  # deleted, or used since the sweep: no warning stands
            fresh.warned_at = now or self.clock()
            await self.store.save(fresh)

    async def expire(self, session: PrepSession, now: datetime | None = None) -> bool:
        """Delete an expired session unless it was used since the sweep found it."""
        async with self._lock(session.id):
            fresh = await self.store.get(session.id)
            if fresh is None or not self.policy.due_deletion(fresh, now or self.clock()):
                return False
            return await self.store.delete(session.id)

    # -- replies -------------------------------------------------------------------------

    async def _reply(
        self,
        session: PrepSession,
        *,
        header: bool = False,
        notices: Sequence[str] = (),
        message: str = "",
        questions: bool = True,
        refused: bool = False,
        brief: Brief | None = None,
    ) -> Reply:
        """What to show now: the pending follow-up, or the next question, or the stage's end."""
        stage = self.book[session.stage]
        ledger = tuple(await self.store.ledger(session.id))
        asked: tuple[Question, ...] = ()
        follow_up, slot = False, ""
        if questions and session.status != FINISHED:
            asked, follow_up, end, slot = await self._asks(session, stage, ledger)
            message = message or end
        elif session.status == FINISHED:
            message = message or _FINISHED.format(id=session.id)
        return Reply(
            session=session,
            stage_number=session.stage + 1,
            stage_count=len(self.book),
            stage_title=stage.title,
            header=stage.goal if header else "",
            notices=tuple(notices),
            questions=asked,
            follow_up=follow_up,
            slot=slot,
            message=message,
            refused=refused,
            actions=() if session.status == FINISHED else ACTIONS,
            ledger=ledger,
            brief=brief,
        )

    async def _refuse(
        self, session: PrepSession, text: str, *, questions: bool = False, header: bool = False
    ) -> Reply:
        return await self._reply(
            session, notices=[text], questions=questions, refused=True, header=header
        )

    async def _asks(
        self, session: PrepSession, stage: Stage, ledger: Sequence[LedgerRow]
    ) -> tuple[tuple[Question, ...], bool, str, str]:
        """(questions, whether they are a trust follow-up, the text when the stage is done,
        the slot asked about)."""
        pending = session.follow_ups.get(stage.id)
        if pending:
            questions = await self.questions.follow_ups(session, stage, pending)
            if not questions:
                # Nothing to ask means nothing to hold the stage for.
                session.follow_ups.pop(stage.id, None)
            await self.store.save(session)  # the coach's memory, or the dropped follow-up
            if questions:
                return questions, True, "", follow_up_slot(stage.id, pending)
        slot = await self._current_slot(session, ledger)
        if slot is None:
            return (), False, self._stage_done(session, stage, ledger), ""
        return (await self.questions.for_slot(session, slot, ledger),), False, "", slot.key

    async def _current_slot(
        self, session: PrepSession, ledger: Sequence[LedgerRow] | None = None
    ) -> Slot | None:
        if ledger is None:
            ledger = await self.store.ledger(session.id)
        stage = self.book[session.stage]
        done = filled(await self.store.answers(session.id), stage, ledger)
        return current_slot(stage, done, session.skipped, [r.id for r in ledger])

    def _stage_done(self, session: PrepSession, stage: Stage, ledger: Sequence[LedgerRow]) -> str:
        if stage.repeat == "ledger" and not ledger:
            return stage.empty
        if session.stage == len(self.book) - 1:
            return (
                f"That completes {stage.title}, the last stage. Press Finish to write your brief."
            )
        following = self.book[session.stage + 1].title
        return (
            f"That completes {stage.title}. Press Next for {following}, "
            "or send anything else you want on record here."
        )

    # -- helpers -------------------------------------------------------------------------

    async def _owned(self, session_id: str, owner: str) -> PrepSession:
        session = await self.store.get(session_id.strip().lower())
        if session is None:
            raise SessionNotFound(_not_found(session_id))
        if session.owner != owner:
            raise NotSessionOwner(
                "Only the person who started this prep session can use it. "
                "Start your own with /prep start (terminal: parley prep)."
            )
        return session

    async def _open(self, session_id: str, owner: str) -> PrepSession:
        session = await self._owned(session_id, owner)
        if session.status == FINISHED:
            raise PrepError(
                f"Prep session {session.id} is finished; its brief is final. Export it again, "
                "or start a new session."
            )
        return session

    def _lock(self, session_id: str) -> asyncio.Lock:
        """One lock per session, so two quick answers never read the same state."""
        return self._locks[session_id.strip().lower()]

    def _touch(self, session: PrepSession) -> None:
        session.updated_at = self.clock()
        session.warned_at = None  # activity cancels a pending expiry

    async def _touch_and_save(self, session: PrepSession) -> None:
        self._touch(session)
        await self.store.save(session)


_MOVES = ("next", "back", "skip")
_STALE = (
    "That button belongs to an earlier message; the session has moved on to stage {n}. "
    "Use the buttons on the latest message."
)
_FINISHED = "Prep session {id} is finished; export its brief again any time."
_PENDING = (
    "Before {title} can close, answer the follow-up above: it asks what covers the trust "
    "your last answer relied on."
)


def _perspective_text(session: PrepSession) -> str:
    return (
        f"Before you finish, write down {session.name}'s side: what they stand to gain "
        "and what they fear. A brief with only your side of the table is half a brief."
    )


def _follow_up_notice(reading: TrustReading) -> str:
    return (
        f"That answer leans on {trust_phrase(reading)}. Before this stage can close, look at "
        "what would cover it if the trust proved misplaced:"
    )


def _not_found(session_id: str) -> str:
    return (
        f"There is no prep session {session_id.strip()!r}: it was deleted, expired, or the id is "
        "mistyped. List yours with /prep list (terminal: parley prep --list)."
    )


def _required(value: str, field: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise PrepError(f"Say {what}: the {field} cannot be empty.")
    return _clip(value, field)


def _clip(value: str, field: str) -> str:
    value = (value or "").strip()
    limit = FIELD_LIMITS[field]
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _new_answer(where: Target, text: str, reading: TrustReading, leans: bool) -> NewAnswer:
    return NewAnswer(
        stage=where.stage.id,
        question=where.question_key,
        round=where.round,
        text=text,
        follow_up=where.follow_up,
        reading={**reading.to_json(), "leans_on_trust": leans},
    )


def _assumption_form(text: str) -> str:
    """ "Not kept: pay on the 1st" for a promise; "Not true: he's solvent" for a belief."""
    return ASSUMPTION_RISK if kinds.is_promise(text) else ASSUMPTION_UNTRUE


def _assumption_row(text: str, round_: int) -> dict[str, Any]:
    return {
        "risk": _clip(_assumption_form(text).format(text=kinds.promise_risk(text)), "risk"),
        "bearer": "",
        "mechanism": "",
        "residual": "",
        # The user is the one relying on it: if it proves false, the cost lands on them first
        # (the trust audit asks "what happens to you"), until a later answer says otherwise.
        "bearer_kind": kinds.YOU,
        "mechanism_kind": kinds.TRUST_ONLY,
        "assumption": round_,
    }


def _column_values(
    column: str, text: str, read: kinds.AnswerReading, row: LedgerRow
) -> dict[str, Any]:
    """The answered column, plus an empty mechanism column the answer clearly fills."""
    if column == "bearer":
        # "not sure" names nobody: an assumption stays the user's, who relies on it.
        known = read.bearer if read.bearer != kinds.UNASSIGNED else row.bearer_kind
        values = {"bearer": _clip(text, "bearer"), "bearer_kind": known}
        if not row.mechanism and read.mechanism not in _NOT_NAMED:
            values |= _mechanism_values(text, read)  # "me, but there's a warranty"
        return values
    if column == "mechanism":
        return _mechanism_values(text, read)
    return {"residual": _clip(text, "mechanism")}


# Kinds an answer can get without naming any mechanism: they never fill a column unasked.
_NOT_NAMED = (kinds.TRUST_ONLY, kinds.ACCEPTED, kinds.OTHER)


def _mechanism_values(text: str, read: kinds.AnswerReading) -> dict[str, Any]:
    return {"mechanism": _clip(text, "mechanism"), "mechanism_kind": read.mechanism}


def _free_row(text: str, read: kinds.AnswerReading) -> dict[str, Any]:
    """A ledger row from one free-text answer: its risk, bearer and mechanism as read."""
    named = read.mechanism not in (kinds.TRUST_ONLY,) or read.refused
    return {
        "risk": _clip(read.risk, "risk"),
        "bearer": _clip(text, "bearer") if read.bearer != kinds.UNASSIGNED else "",
        "mechanism": _clip(text, "mechanism") if named else "",
        "residual": "",
        "bearer_kind": read.bearer,
        "mechanism_kind": read.mechanism,
    }


def build_prep_service(settings: Settings, database: Database, coach: Coach) -> PrepService:
    """The prep service over the app's database and coach, with the stages from prompts/."""
    book = load_stages(settings.prompts_dir / "prep" / "stages.yaml")
    policy = ExpiryPolicy(
        idle=timedelta(days=settings.prep_expiry_days),
        warning=timedelta(hours=settings.prep_warning_hours),
    )
    return PrepService(PrepStore(database), coach, book, policy)
