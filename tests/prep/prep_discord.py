"""The fake Discord of ``tests/discord``, extended for prep sessions.

Adds what prep needs from Discord's side: private threads (create, add a member, fetch,
delete), DMs, file uploads (kept with their bytes), and gateway events for buttons, select
menus, modal submits and thread deletion. Interactions are built from the components the bot
really sent, so a test presses exactly the button a user would see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord.http import Route

from bot.bot import ParleyBot
from tests.discord.discord_fakes import (
    APPLICATION_ID,
    GUILD_ID,
    SEND_MESSAGE,
    TEXT_CHANNEL_ID,
    USER_ID,
    FakeDiscord,
    Payload,
    Request,
    member_payload,
    settle,
    user_payload,
)

CREATE_THREAD = "POST /channels/{channel_id}/threads"
ADD_THREAD_MEMBER = "PUT /channels/{channel_id}/thread-members/{user_id}"
GET_CHANNEL = "GET /channels/{channel_id}"
DELETE_CHANNEL = "DELETE /channels/{channel_id}"
OPEN_DM = "POST /users/@me/channels"
GET_USER = "GET /users/{user_id}"
OTHER_USER_ID = 900_000_000_000_000_301
PRIVATE_THREAD = discord.ChannelType.private_thread.value


@dataclass(slots=True)
class Upload:
    """A file the bot attached to a message."""

    channel_id: int
    filename: str
    data: bytes


@dataclass(slots=True)
class Sent:
    """A message the bot created, as Discord stored it (with its components)."""

    channel_id: int
    payload: Payload

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def custom_ids(self) -> list[str]:
        return [
            c["custom_id"] for row in self.payload.get("components", []) for c in row["components"]
        ]


@dataclass(slots=True)
class DiscordState:
    """What Discord's servers remember across a bot restart."""

    threads: dict[int, Payload] = field(default_factory=dict)
    dms: dict[int, int] = field(default_factory=dict)  # user id → DM channel id


class PrepDiscord(FakeDiscord):
    """The fake Discord with the endpoints and events prep sessions use."""

    def __init__(self, bot: ParleyBot, state: DiscordState | None = None) -> None:
        super().__init__(bot)
        self.state = state or DiscordState()
        self.messages: list[Sent] = []
        self.uploads: list[Upload] = []

    # -- the wire --------------------------------------------------------------------------

    async def http_request(
        self, route: Route, *, files: Any = None, form: Any = None, **kw: Any
    ) -> Any:
        self._keep_files(route, files)
        return await super().http_request(route, files=files, form=form, **kw)

    async def webhook_request(
        self, route: Route, session: Any, *, files: Any = None, multipart: Any = None, **kw: Any
    ) -> Any:
        self._keep_files(route, files)
        if multipart and kw.get("payload") is None:
            body = next((p["value"] for p in multipart if p["name"] == "payload_json"), None)
            kw["payload"] = discord.utils._from_json(body) if body else None
        return await super().webhook_request(route, session, **kw)

    def _keep_files(self, route: Route, files: Any) -> None:
        for file in files or []:
            file.reset()
            channel = int(getattr(route, "channel_id", 0) or 0)
            self.uploads.append(Upload(channel, file.filename, file.fp.read()))
            file.reset()

    def _answer(self, route: Route, body: Payload | None, params: dict[str, Any] | None) -> Any:
        request = Request(route.method, route.path, _args(route), body, params)
        handler = _EXTRA.get(request.key)
        if handler is None:
            return super()._answer(route, body, params)
        self.requests.append(request)
        return handler(self, request)

    # -- REST answers ----------------------------------------------------------------------

    def _create_message(self, request: Request) -> Payload:
        payload = super()._create_message(request)
        payload["components"] = (request.json or {}).get("components") or []
        self.messages.append(Sent(int(request.args["channel_id"]), payload))
        return payload

    def _create_thread(self, request: Request) -> Payload:
        body = request.json or {}
        thread = self.thread_payload(
            self.new_id(), int(request.args["channel_id"]), name=body["name"]
        )
        thread["type"] = body.get("type", PRIVATE_THREAD)
        self.state.threads[int(thread["id"])] = thread
        self.bot._connection.parse_thread_create({**thread, "newly_created": True})
        return thread

    def _get_channel(self, request: Request) -> Payload:
        thread = self.state.threads.get(int(request.args["channel_id"]))
        if thread is None:
            raise discord.NotFound(
                SimpleNamespace(status=404, reason="Not Found"), "Unknown Channel"
            )
        return thread

    def _delete_channel(self, request: Request) -> Payload:
        thread = self._get_channel(request)
        self.delete_thread(int(thread["id"]))
        return thread

    def _open_dm(self, request: Request) -> Payload:
        user_id = int((request.json or {})["recipient_id"])
        dm_id = self.state.dms.setdefault(user_id, self.new_id())
        return {"id": str(dm_id), "type": 1, "recipients": [user_payload(user_id, "negotiator")]}

    def _get_user(self, request: Request) -> Payload:
        return user_payload(int(request.args["user_id"]), "negotiator")

    def _nothing(self, _: Request) -> None:
        return None

    def guild_payload(self) -> Payload:
        """After a restart Discord re-sends the guild with its active threads."""
        return {**super().guild_payload(), "threads": list(self.state.threads.values())}

    # -- what the bot sent -----------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[Sent]:
        """Messages the bot created in a channel, oldest first."""
        return [m for m in self.messages if m.channel_id == channel_id]

    def last_in(self, channel_id: int) -> Sent:
        """The newest message the bot created in a channel."""
        return self.in_channel(channel_id)[-1]

    def ephemeral_texts(self) -> list[str]:
        """Contents of private replies (interaction responses and follow-ups)."""
        texts = []
        for request in self.requests:
            body = request.json or {}
            data = body.get("data", body)
            if isinstance(data, dict) and data.get("flags", 0) & 64 and data.get("content"):
                texts.append(data["content"])
        return texts

    def dm_texts(self, user_id: int = USER_ID) -> list[str]:
        dm = self.state.dms.get(user_id)
        return [m.content for m in self.in_channel(dm)] if dm else []

    # -- gateway events --------------------------------------------------------------------

    def prep_payload(self, sub: str, *, user_id: int = USER_ID, **options: str) -> Payload:
        """INTERACTION_CREATE for ``/prep <sub> option:value`` by a user."""
        payload = self.interaction_payload("prep")
        payload["member"] = _member(user_id)
        payload["data"]["options"] = [{"type": 1, "name": sub, "options": _options(options)}]
        return payload

    async def prep(self, sub: str, *, user_id: int = USER_ID, **options: str) -> None:
        """A user runs ``/prep <sub> option:value``."""
        await self.fire(self.prep_payload(sub, user_id=user_id, **options))

    async def press(self, message: Sent, action: str, *, user_id: int = USER_ID) -> None:
        """A user clicks the button whose custom id has ``action`` as its second part."""
        custom_id = next(c for c in message.custom_ids if c.split(":")[1] == action)
        await self.fire(self._component(message, custom_id, 2, user_id))

    async def click(self, message: Sent, custom_id: str, *, user_id: int = USER_ID) -> None:
        """A user clicks the button with exactly this custom id."""
        assert custom_id in message.custom_ids
        await self.fire(self._component(message, custom_id, 2, user_id))

    def last_private_message(self) -> Sent:
        """The last ephemeral interaction response, as a message a user can click in."""
        data = next(
            r.json["data"] for r in reversed(self.requests)
            if r.key.endswith("/callback") and (r.json or {}).get("type") == 4
        )  # fmt: skip
        payload = self.message_payload(
            TEXT_CHANNEL_ID, author=user_payload(900_000_000_000_000_001, "Parley", bot=True),
            content=data.get("content", ""), flags=64,
        )  # fmt: skip
        payload["components"] = data.get("components", [])
        return Sent(TEXT_CHANNEL_ID, payload)

    async def choose(self, message: Sent, value: str, *, user_id: int = USER_ID) -> None:
        """A user picks ``value`` in the message's select menu."""
        custom_id = next(c for c in message.custom_ids if ":edit:" in c)
        payload = self._component(message, custom_id, 3, user_id)
        payload["data"]["values"] = [value]
        await self.fire(payload)

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        message: Sent | None = None,
        user_id: int = USER_ID,
    ) -> None:
        """A user submits a modal with these text-input values."""
        rows = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
            for k, v in values.items()
        ]
        payload = self._interaction(
            5, user_id, {"custom_id": custom_id, "components": rows}, message
        )
        await self.fire(payload)

    async def say(self, thread_id: int, content: str, *, user_id: int = USER_ID) -> None:
        """A user types a message in a thread."""
        await self.guild_message(
            content, channel_id=thread_id, author=user_payload(user_id, f"user{user_id % 1000}")
        )

    def delete_thread(self, thread_id: int) -> None:
        """A moderator deletes a thread (THREAD_DELETE)."""
        thread = self.state.threads.pop(thread_id)
        self.bot._connection.parse_thread_delete(
            {
                "id": str(thread_id),
                "guild_id": str(GUILD_ID),
                "parent_id": thread["parent_id"],
                "type": PRIVATE_THREAD,
            }
        )

    async def fire(self, *payloads: Payload) -> None:
        """Deliver interactions at once (as concurrent users would), then wait for the bot."""
        for payload in payloads:
            self.bot._connection.parse_interaction_create(payload)
        await settle()

    def _component(self, message: Sent, custom_id: str, kind: int, user_id: int) -> Payload:
        return self._interaction(
            3, user_id, {"custom_id": custom_id, "component_type": kind}, message
        )

    def _interaction(self, kind: int, user_id: int, data: Payload, message: Sent | None) -> Payload:
        channel_id = message.channel_id if message else TEXT_CHANNEL_ID
        payload = self.interaction_payload("unused")
        payload.update(
            type=kind,
            data=data,
            member=_member(user_id),
            channel_id=str(channel_id),
            channel=self.state.threads.get(channel_id, payload["channel"]),
        )
        if message is not None:
            payload["message"] = {**message.payload, "channel_id": str(channel_id)}
        return payload


_EXTRA = {
    CREATE_THREAD: PrepDiscord._create_thread,
    ADD_THREAD_MEMBER: PrepDiscord._nothing,
    GET_CHANNEL: PrepDiscord._get_channel,
    DELETE_CHANNEL: PrepDiscord._delete_channel,
    OPEN_DM: PrepDiscord._open_dm,
    GET_USER: PrepDiscord._get_user,
    SEND_MESSAGE: PrepDiscord._create_message,
}


def _member(user_id: int) -> Payload:
    return {
        **member_payload(user_payload(user_id, f"user{user_id % 1000}")),
        "permissions": str(discord.Permissions.all().value),
    }


def _options(options: dict[str, str]) -> list[Payload]:
    return [
        {"type": discord.AppCommandOptionType.string.value, "name": k, "value": v}
        for k, v in options.items()
    ]


def _args(route: Route) -> dict[str, str]:
    from tests.discord.discord_fakes import _route_args

    return _route_args(route)


async def connect(
    app: Any,
    monkeypatch: pytest.MonkeyPatch,
    state: DiscordState | None = None,
    extensions: tuple[str, ...] | None = None,
) -> PrepDiscord:
    """A ParleyBot on ``app`` logged in to a fake Discord that remembers ``state``."""
    bot = ParleyBot(app, sync_commands=False, **({"extensions": extensions} if extensions else {}))
    fake = PrepDiscord(bot, state)
    fake.install(monkeypatch)
    await bot.login("fake-token")
    bot._connection.parse_guild_create(fake.guild_payload())
    await settle()
    fake.clear()
    return fake


__all__ = ["APPLICATION_ID", "OTHER_USER_ID", "USER_ID", "PrepDiscord", "connect", "settle"]
