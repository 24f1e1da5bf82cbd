"""The async face of team discussions: what the Discord cogs call.

Every method that needs the time reads ``self.clock``, which tests replace to control time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from bot.coaching.coach import Coach
from bot.coaching.llm import LLMEngine
from bot.coaching.models import Question
from bot.discuss.clock import Clock, utc_now
from bot.discuss.data import DiscussData, Perspective
from bot.discuss.divergence import (
    Difference,
    ReadAnswer,
    Reveal,
    Round,
    RoundStore,
    compare,
    follow_up_text,
    read_answers,
)
from bot.discuss.memory import ScenarioMemory
from bot.discuss.prompts import DiscussionPrompt, make_prompt, plan_questions
from bot.discuss.scenarios import (
    NoScenario,
    Scenario,
    catalogue,
    first_unseen,
    pick_unseen,
    scenario_for_chunk,
)
from bot.discuss.schedules import Schedule, ScheduleStore
from bot.discuss.setting import (
    Setting,
    candidates,
    composed_scenarios,
    for_scenario,
    ranked_risks,
    read_topic,
    seated_by_text,
    topic_scenario,
)
from bot.discuss.titles import original_titles
from bot.knowledge.store import KnowledgeBase, StoredChunk, is_guide, scopes_for
from bot.reading.reader import SituationReader
from bot.storage.database import Database

# How many passages a topic is matched against (their scores rank the scenarios they are in).
TOPIC_POOL = 24
# The dimension each follow-up probes, by the difference it is aimed at.
FOLLOW_UP_DIMENSIONS = {
    "sequence": "risk",
    "amounts": "stakes",
    "dropped": "mechanism",
    "split": "risk",
    "different_mechanisms": "mechanism",
    "all_trust": "risk",
}


@dataclass(frozen=True, slots=True)
class DueWork:
    """What the scheduler should do now: prompts to post and rounds to reveal."""

    schedules: list[Schedule]
    rounds: list[Round]


class Discussions:
    """Discussion prompts, schedules and divergence rounds over the shared coach and store."""

    def __init__(
        self,
        coach: Coach,
        knowledge: KnowledgeBase,
        database: Database,
        data: DiscussData,
        *,
        timezone: str = "UTC",
        clock: Clock = utc_now,
    ) -> None:
        self.coach = coach
        self.data = data
        self.timezone = timezone  # the default for new schedules
        self.clock = clock
        self._kb = knowledge
        self.schedules = ScheduleStore(database)
        self.rounds = RoundStore(database)
        self._memory = ScenarioMemory(database)

    # -- prompts ---------------------------------------------------------------------------

    async def prompt(
        self, guild_id: int, channel_id: int, topic: str | None = None
    ) -> DiscussionPrompt:
        """A prompt for a channel: on ``topic``, or on a scenario it has not discussed yet."""
        seen = await self._memory.seen(channel_id)
        return await asyncio.to_thread(self._prompt, guild_id, channel_id, topic, seen)

    def _prompt(
        self, guild_id: int, channel_id: int, topic: str | None, seen: dict[str, datetime]
    ) -> DiscussionPrompt:
        scopes = scopes_for(guild_id)
        chunks = self._kb.chunks()
        scenarios = catalogue(chunks, scopes, self.data)
        if topic:
            scenario, setting = self._on_topic(topic, scopes, chunks, scenarios, seen)
        else:
            scenario = self._unseen(scenarios, seen, channel_id)
            setting = self._setting(scenario, None)
        return make_prompt(
            self.coach,
            scenario,
            setting,
            self.data,
            scopes=scopes,
            originals=original_titles(chunks),
        )

    def _unseen(
        self, scenarios: list[Scenario], seen: dict[str, datetime], channel_id: int
    ) -> Scenario:
        scenario = pick_unseen(scenarios, seen, channel_id)
        if scenario is None:
            raise NoScenario("There are no case notes to discuss yet; add one with /notes add.")
        return scenario

    def _on_topic(
        self,
        topic: str,
        scopes: tuple[str, ...],
        chunks: list[StoredChunk],
        scenarios: list[Scenario],
        seen: dict[str, datetime],
    ) -> tuple[Scenario, Setting]:
        """The scenario that fits the topic best among those the channel has not had.

        A case of the topic's kind of deal, or one that matches it closely, else a scenario
        composed from the catalogue; a topic on a schedule walks through them in that order.
        """
        reader = self._reader()
        setting = read_topic(reader.read(topic), reader.kinds, self.data, reader.embed)
        relevance = self._relevance(topic, scopes, chunks)
        fitting = candidates(
            setting, scenarios, relevance, composed_scenarios(setting, self.data), reader.kinds
        )
        scenario = first_unseen(fitting, seen) or topic_scenario(setting, self.data)
        if scenario is None:
            raise NoScenario(self.data.no_fit.format(topic=topic))
        return scenario, self._setting(scenario, setting)

    def perspective_of(self, scenario_text: str) -> Perspective:
        """The team's seat and counterpart in a scenario the facilitator wrote themselves."""
        reader = self._reader()
        setting = read_topic(reader.read(scenario_text), reader.kinds, self.data, reader.embed)
        return seated_by_text(setting, scenario_text).perspective

    def _relevance(
        self, topic: str, scopes: tuple[str, ...], chunks: list[StoredChunk]
    ) -> dict[str, float]:
        """Scenario key -> how well its best passage matches the topic."""
        by_id = {c.id: c for c in chunks}
        relevance: dict[str, float] = {}
        for hit in self.coach.retriever.search(topic, TOPIC_POOL, scopes=scopes):
            chunk = by_id.get(hit.chunk_id)
            if chunk is None or is_guide(chunk.meta):
                continue  # a deal guide is no scenario, and no evidence that a case fits
            key = scenario_for_chunk(chunk, chunks, self.data).key
            relevance[key] = max(relevance.get(key, 0.0), hit.score)
        return relevance

    def _setting(self, scenario: Scenario, topic: Setting | None) -> Setting:
        """Where the team sits for this scenario; without a topic, the risk the case is about
        comes first."""
        reader = self._reader()
        setting = for_scenario(scenario, reader.kinds, self.data, topic)
        if topic is None and setting.kind is not None and not scenario.composed:
            about = f"{scenario.text} {scenario.context}"
            setting = replace(setting, risks=ranked_risks(setting.kind, about, reader.embed))
        return setting

    async def remember(self, guild_id: int, channel_id: int, prompt: DiscussionPrompt) -> None:
        """Note that a prompt was posted in a channel, so it is not picked again soon."""
        await self._memory.remember(guild_id, channel_id, prompt.scenario.key, self.clock())

    # -- divergence rounds -------------------------------------------------------------------

    async def open_round(
        self,
        *,
        guild_id: int,
        thread_id: int,
        facilitator_id: int,
        prompt: DiscussionPrompt,
        closes_at: datetime | None,
    ) -> Round:
        """Start a private-answer round on a posted prompt."""
        scenario = prompt.scenario
        return await self.rounds.open(
            guild_id=guild_id,
            thread_id=thread_id,
            facilitator_id=facilitator_id,
            scenario_key=scenario.key,
            title=scenario.title,
            scenario_text=scenario.text,
            counterpart=scenario.perspective.counterpart,
            questions=prompt.questions,
            closes_at=closes_at,
            now=self.clock(),
        )

    async def answer(self, round_id: int, *, user_id: int, author: str, text: str) -> bool:
        """Store a member's private answer; True when it replaced their earlier one."""
        return await self.rounds.answer(
            round_id, user_id=user_id, author=author, text=text, now=self.clock()
        )

    async def close_round(self, round_id: int) -> Reveal | None:
        """Close a round and build its reveal; None if it was closed already."""
        if not await self.rounds.close(round_id, self.clock()):
            return None
        closed = await self.rounds.get(round_id)
        if closed is None:
            return None
        answers = await self.rounds.answers(round_id)
        return await asyncio.to_thread(self._reveal, closed, answers)

    async def reveal_answers(
        self,
        guild_id: int,
        channel_id: int,
        prompt: DiscussionPrompt,
        answers: list[tuple[str, str]],
    ) -> Reveal:
        """A whole round at once, for the terminal: open it, answer as each member, close it.

        The same path as Discord (stored round, stored answers, the same reveal), so the
        terminal measures what a team would see.
        """
        opened = await self.open_round(
            guild_id=guild_id, thread_id=channel_id, facilitator_id=0, prompt=prompt, closes_at=None
        )
        for user_id, (author, text) in enumerate(answers, start=1):
            await self.answer(opened.id, user_id=user_id, author=author, text=text)
        reveal = await self.close_round(opened.id)
        if reveal is None:  # only another closer of this very round could get here first
            raise RuntimeError(f"Round {opened.id} was closed by someone else.")
        return reveal

    def _reveal(self, closed: Round, answers: list) -> Reveal:
        case = " ".join([closed.title, closed.scenario_text, *(q.text for q in closed.questions)])
        read = read_answers(self._reader(), answers, self.data, case)
        found = compare(read, closed.counterpart, self.data.mechanism_labels)
        said = [self.data.reveal[d.axis].format(**d.fields) for d in found]
        return Reveal(
            round=closed,
            answers=tuple(read),
            differences=tuple(self._model_summary(closed, read) + said),
            follow_up=self._follow_up(closed, read, found),
        )

    def _follow_up(
        self, closed: Round, read: list[ReadAnswer], found: list[Difference]
    ) -> Question | None:
        """One question, aimed at the difference that matters most; the planner's otherwise,
        and when the prompt used every move the planner has, the question for a team that
        leans on trust alone (a round always ends on exactly one question)."""
        text = follow_up_text(found, self.data)
        if text is None:
            planned = self._planned_follow_up(closed, read)
            if planned is not None:
                return planned
            axis = "all_trust"
            text = self.data.follow_ups[axis].format(
                counterpart=closed.counterpart or "the other side"
            )
        else:
            axis = next(d.axis for d in found if d.axis in self.data.follow_ups)
        scopes = scopes_for(closed.guild_id)
        cited = self.coach.retriever.search(f"{text} {closed.scenario_text}", 1, scopes=scopes)
        if not cited:
            return self._planned_follow_up(closed, read)
        dimension = FOLLOW_UP_DIMENSIONS.get(axis, "risk")
        return Question(text, dimension, f"discuss:{axis}", "implications", cited[0])

    def _planned_follow_up(self, closed: Round, read: list[ReadAnswer]) -> Question | None:
        # The follow-up presses on what the answers lean on: the trusting ones if any.
        basis = [a.text for a in read if a.leans_on_trust] or [a.text for a in read]
        follow = plan_questions(
            self.coach,
            "\n\n".join(basis) or closed.scenario_text,
            counterpart=closed.counterpart,
            scopes=scopes_for(closed.guild_id),
            focus=self.data.focus,
            max_questions=1,
            asked=closed.questions,
        )
        return follow[0] if follow else None

    def _reader(self) -> SituationReader:
        if self.coach.reader is None:
            raise RuntimeError("Team discussions need the situation reader; build_coach makes one.")
        return self.coach.reader

    def _model_summary(self, closed: Round, read: list[ReadAnswer]) -> list[str]:
        """With an LLM configured, its account of the divergence leads; never instead of ours."""
        engine = self.coach.engine
        if not isinstance(engine, LLMEngine) or len(read) < 2:
            return []
        positions = "\n".join(f"- {a.author}: {a.text}" for a in read)
        summary = engine.summarise_divergence(closed.title, positions)
        return [summary] if summary else []

    # -- the scheduler -----------------------------------------------------------------------

    async def due(self, now: datetime) -> DueWork:
        """Schedules whose slot has come and rounds whose deadline has passed."""
        return DueWork(await self.schedules.due(now), await self.rounds.due(now))
