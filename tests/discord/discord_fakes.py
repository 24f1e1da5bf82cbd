"""A fake Discord for driving the real bot: only the wire is fake.

``FakeDiscord`` stands in for Discord's servers. It replaces the two places where discord.py
hands a request to aiohttp (``HTTPClient.request`` for the REST API and
``AsyncWebhookAdapter.request`` for interaction responses and follow-ups), records every
request with its JSON body, and answers with payloads shaped like Discord's. Gateway events
are played through the real ``ConnectionState.parse_*`` handlers, so the bot sees real
``discord.Message``, ``discord.Thread`` and ``discord.Interaction`` objects and runs its real
listeners, command tree and error handlers.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import discord
import pytest
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter

from bot.bot import ParleyBot

Payload = dict[str, Any]

# What the bot can ask of Discord, as "METHOD route-template" (``Request.key``).
LOGIN = "GET /users/@me"
APPLICATION_INFO = "GET /oauth2/applications/@me"
SYNC_GLOBAL = "PUT /applications/{application_id}/commands"
SYNC_GUILD = "PUT /applications/{application_id}/guilds/{guild_id}/commands"
SEND_MESSAGE = "POST /channels/{channel_id}/messages"
TYPING = "POST /channels/{channel_id}/typing"
START_THREAD = "POST /channels/{channel_id}/messages/{message_id}/threads"
INTERACTION_CALLBACK = "POST /interactions/{webhook_id}/{webhook_token}/callback"
FOLLOWUP = "POST /webhooks/{webhook_id}/{webhook_token}"
EDIT_ORIGINAL = "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original"
DELETE_ORIGINAL = "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original"

EPHEMERAL = 64  # message flag
DEFERRED_WITH_SOURCE = 5  # interaction callback type ("thinking…")

BOT_ID = 900_000_000_000_000_001
APPLICATION_ID = BOT_ID
GUILD_ID = 900_000_000_000_000_100
TEXT_CHANNEL_ID = 900_000_000_000_000_200
USER_ID = 900_000_000_000_000_300
OTHER_BOT_ID = 900_000_000_000_000_400
BOT_ROLE_ID = 900_000_000_000_000_500

_IDS = itertools.count(1_000_000_000_000_000_000)
SETTLE_TIMEOUT = 10  # seconds; a hung handler fails the test instead of hanging it

# Discord's task names for dispatched events and slash-command invocations.
# Names of the tasks discord.py starts for events, slash commands, buttons and modals.
_DISCORD_TASK_PREFIXES = ("discord.py: ", "CommandTree-invoker", "discord-ui-")


@dataclass(frozen=True, slots=True)
class Request:
    """One request the bot sent to Discord."""

    method: str
    path: str  # the route template, e.g. "/channels/{channel_id}/messages"
    args: dict[str, str]  # the template's values, e.g. {"channel_id": "123"}
    json: Payload | None
    params: dict[str, Any] | None

    @property
    def key(self) -> str:
        """``"POST /channels/{channel_id}/messages"``: what the request does."""
        return f"{self.method} {self.path}"


class UnexpectedRequest(AssertionError):
    """The bot called a Discord endpoint the fake does not serve."""


class FakeDiscord:
    """Discord's side of the wire for one bot: REST answers, a request log, gateway events."""

    def __init__(self, bot: ParleyBot) -> None:
        self.bot = bot
        self.requests: list[Request] = []
        self._failures: dict[str, list[int]] = {}

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put this fake where discord.py would hand requests to aiohttp."""
        monkeypatch.setattr(self.bot.http, "request", self.http_request)
        fake = self

        async def webhook_request(_adapter: AsyncWebhookAdapter, *args: Any, **kw: Any) -> Any:
            return await fake.webhook_request(*args, **kw)

        # Interaction responses and follow-ups go through one adapter class for all webhooks.
        monkeypatch.setattr(AsyncWebhookAdapter, "request", webhook_request)

    # -- what the bot sent ---------------------------------------------------------------

    def sent(self, key: str) -> list[Request]:
        """The recorded requests with the given key, in order."""
        return [request for request in self.requests if request.key == key]

    def calls(self) -> list[str]:
        """The keys of all recorded requests, in order (login and sync excluded)."""
        return [r.key for r in self.requests if r.key not in _STARTUP_KEYS]

    def fail(self, key: str, *, after: int = 0) -> None:
        """Make the next request with ``key`` fail with a 500, after ``after`` successes."""
        self._failures.setdefault(key, []).append(len(self.sent(key)) + after)

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.requests.clear()

    # -- the wire ------------------------------------------------------------------------

    async def http_request(
        self, route: Route, *, files: Any = None, form: Any = None, **kwargs: Any
    ) -> Any:
        """Stands in for ``HTTPClient.request``."""
        body = kwargs.get("json")
        if form is not None:  # multipart: the JSON part is named payload_json
            body = next(
                (discord.utils._from_json(p["value"]) for p in form if p["name"] == "payload_json"),
                None,
            )
        return self._answer(route, body, kwargs.get("params"))

    async def webhook_request(
        self,
        route: Route,
        session: Any,
        *,
        payload: Payload | None = None,
        multipart: Any = None,
        params: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        """Stands in for ``AsyncWebhookAdapter.request`` (interaction callbacks, follow-ups)."""
        return self._answer(route, payload, params)

    def _answer(self, route: Route, body: Payload | None, params: dict[str, Any] | None) -> Any:
        request = Request(route.method, route.path, _route_args(route), body, params)
        position = len(self.sent(request.key))
        self.requests.append(request)
        if position in self._failures.get(request.key, []):
            raise discord.HTTPException(_FailedResponse(), {"code": 0, "message": "fake failure"})
        handler = _HANDLERS.get(request.key)
        if handler is None:
            raise UnexpectedRequest(f"the fake Discord does not serve {request.key}")
        return handler(self, request)

    # -- REST responses ------------------------------------------------------------------

    def _me(self, _: Request) -> Payload:
        return user_payload(BOT_ID, "Parley", bot=True)

    def _application(self, _: Request) -> Payload:
        return {
            "id": str(APPLICATION_ID),
            "name": "Parley",
            "description": "",
            "icon": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": user_payload(USER_ID, "owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _sync(self, request: Request) -> list[Payload]:
        return [
            {
                **command,
                "id": str(self.new_id()),
                "application_id": str(APPLICATION_ID),
                "version": "1",
                "guild_id": request.args.get("guild_id"),
            }
            for command in request.json or []
        ]

    def _create_message(self, request: Request) -> Payload:
        return self.message_payload(
            int(request.args["channel_id"]),
            author=user_payload(BOT_ID, "Parley", bot=True),
            content=(request.json or {}).get("content") or "",
            embeds=(request.json or {}).get("embeds") or [],
        )

    def _start_thread(self, request: Request) -> Payload:
        parent_id = int(request.args["channel_id"])
        thread = self.thread_payload(
            int(request.args["message_id"]), parent_id, name=(request.json or {})["name"]
        )
        # Discord also tells the gateway, which is how the thread lands in the bot's cache.
        self.bot._connection.parse_thread_create({**thread, "newly_created": True})
        return thread

    def _interaction_callback(self, request: Request) -> Payload:
        body = request.json or {}
        flags = (body.get("data") or {}).get("flags", 0)
        interaction = {
            "id": request.args["webhook_id"],
            "type": 2,
            "response_message_loading": body["type"] == DEFERRED_WITH_SOURCE,
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        return {"interaction": interaction}

    def _followup(self, request: Request) -> Payload | None:
        if not (request.params or {}).get("wait"):
            return None  # Discord answers 204 when the caller does not wait
        return self._webhook_message(request)

    def _webhook_message(self, request: Request) -> Payload:
        body = request.json or {}
        return self.message_payload(
            TEXT_CHANNEL_ID,
            author=user_payload(BOT_ID, "Parley", bot=True),
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            flags=body.get("flags", 0),
        )

    def _no_content(self, _: Request) -> None:
        return None

    # -- payloads ------------------------------------------------------------------------

    def new_id(self) -> int:
        """A fresh snowflake, unique across tests so no state leaks between them."""
        return next(_IDS)

    def message_payload(
        self,
        channel_id: int,
        *,
        author: Payload,
        content: str,
        guild_id: int | None = None,
        mentions: tuple[Payload, ...] = (),
        mention_roles: tuple[int, ...] = (),
        embeds: list[Payload] | None = None,
        flags: int = 0,
        message_type: int = 0,
    ) -> Payload:
        """A MESSAGE_CREATE payload (also the shape of a created message)."""
        payload: Payload = {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "author": author,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": list(mentions),
            "mention_roles": [str(role) for role in mention_roles],
            "attachments": [],
            "embeds": embeds or [],
            "pinned": False,
            "type": message_type,
            "flags": flags,
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            payload["member"] = member_payload(None)
        return payload

    def thread_payload(self, thread_id: int, parent_id: int, *, name: str) -> Payload:
        """A public thread in the test guild."""
        return {
            "id": str(thread_id),
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent_id),
            "owner_id": str(BOT_ID),
            "name": name,
            "type": discord.ChannelType.public_thread.value,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now(),
                "locked": False,
            },
        }

    def guild_payload(self) -> Payload:
        """GUILD_CREATE for a guild with one text channel, the bot and its managed role."""
        everyone = {"id": str(GUILD_ID), "name": "@everyone", "permissions": "0", "position": 0}
        bot_role = {
            "id": str(BOT_ROLE_ID),
            "name": "Parley",
            "permissions": "0",
            "position": 1,
            "managed": True,
            "tags": {"bot_id": str(BOT_ID)},
        }
        return {
            "id": str(GUILD_ID),
            "name": "Negotiators",
            "owner_id": str(USER_ID),
            "member_count": 2,
            "roles": [everyone, bot_role],
            "channels": [
                {"id": str(TEXT_CHANNEL_ID), "type": 0, "name": "general", "position": 0},
            ],
            "members": [
                member_payload(user_payload(BOT_ID, "Parley", bot=True), roles=(BOT_ROLE_ID,)),
            ],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
        }

    def interaction_payload(self, command: str, **options: str) -> Payload:
        """INTERACTION_CREATE for ``/command option:value`` typed by the test user."""
        return {
            "id": str(self.new_id()),
            "application_id": str(APPLICATION_ID),
            "type": 2,
            "token": f"interaction-token-{self.new_id()}",
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(TEXT_CHANNEL_ID),
            "channel": {"id": str(TEXT_CHANNEL_ID), "type": 0, "name": "general", "position": 0},
            "member": {
                **member_payload(user_payload(USER_ID, "negotiator")),
                "permissions": str(discord.Permissions.all().value),
            },
            "app_permissions": str(discord.Permissions.all().value),
            "attachment_size_limit": 10 * 1024 * 1024,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "data": {
                "id": str(self.new_id()),
                "name": command,
                "type": 1,
                "options": [
                    {"type": discord.AppCommandOptionType.string.value, "name": k, "value": v}
                    for k, v in options.items()
                ],
            },
        }

    # -- gateway events ------------------------------------------------------------------

    async def slash(self, command: str, **options: str) -> None:
        """A user runs a slash command; returns once the bot has finished handling it."""
        self.bot._connection.parse_interaction_create(self.interaction_payload(command, **options))
        await settle()

    async def guild_message(
        self,
        content: str,
        *,
        channel_id: int = TEXT_CHANNEL_ID,
        author: Payload | None = None,
        mention: Literal["bot", "bot role", "everyone"] | None = None,
    ) -> None:
        """A message in the test guild, optionally starting with a mention, as Discord sends it."""
        mentions: tuple[Payload, ...] = ()
        roles: tuple[int, ...] = ()
        if mention == "bot":
            content = f"<@{BOT_ID}> {content}"
            mentions = (user_payload(BOT_ID, "Parley", bot=True),)
        elif mention == "bot role":
            content = f"<@&{BOT_ROLE_ID}> {content}"
            roles = (BOT_ROLE_ID,)
        elif mention == "everyone":
            content = f"@everyone {content}"
        payload = self.message_payload(
            channel_id,
            author=author or user_payload(USER_ID, "negotiator"),
            content=content,
            guild_id=GUILD_ID,
            mentions=mentions,
            mention_roles=roles,
        )
        payload["mention_everyone"] = mention == "everyone"
        self.bot._connection.parse_message_create(payload)
        await settle()

    async def direct_message(self, content: str, *, channel_id: int) -> None:
        """A DM from the test user."""
        payload = self.message_payload(
            channel_id, author=user_payload(USER_ID, "negotiator"), content=content
        )
        self.bot._connection.parse_message_create(payload)
        await settle()

    def add_thread(self, thread_id: int, *, name: str = "a thread") -> None:
        """A thread someone else opened in the text channel (THREAD_CREATE)."""
        payload = self.thread_payload(thread_id, TEXT_CHANNEL_ID, name=name)
        payload["owner_id"] = str(USER_ID)
        self.bot._connection.parse_thread_create({**payload, "newly_created": True})


_STARTUP_KEYS = frozenset({LOGIN, APPLICATION_INFO, SYNC_GLOBAL, SYNC_GUILD})

_HANDLERS = {
    LOGIN: FakeDiscord._me,
    APPLICATION_INFO: FakeDiscord._application,
    SYNC_GLOBAL: FakeDiscord._sync,
    SYNC_GUILD: FakeDiscord._sync,
    SEND_MESSAGE: FakeDiscord._create_message,
    TYPING: FakeDiscord._no_content,
    START_THREAD: FakeDiscord._start_thread,
    INTERACTION_CALLBACK: FakeDiscord._interaction_callback,
    FOLLOWUP: FakeDiscord._followup,
    EDIT_ORIGINAL: FakeDiscord._webhook_message,
    DELETE_ORIGINAL: FakeDiscord._no_content,
}


class _FailedResponse:
    """Just enough of an aiohttp response for ``discord.HTTPException``."""

    status = 500
    reason = "Internal Server Error"


def user_payload(user_id: int, name: str, *, bot: bool = False) -> Payload:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


def member_payload(user: Payload | None, *, roles: tuple[int, ...] = ()) -> Payload:
    """A guild member object; messages carry it without the ``user`` key."""
    payload: Payload = {
        "roles": [str(role) for role in roles],
        "joined_at": _now(),
        "deaf": False,
        "mute": False,
        "flags": 0,
    }
    if user is not None:
        payload["user"] = user
    return payload


def _route_args(route: Route) -> dict[str, str]:
    """Recover a route's parameters by matching its URL against its template."""
    template = re.escape(Route.BASE + route.path)
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", template)
    found = re.fullmatch(pattern, route.url.split("?")[0])
    return found.groupdict() if found else {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def settle() -> None:
    """Wait until every event handler and slash command the bot started has finished.

    discord.py runs each listener and each command in its own task, so a test must wait for
    those, including tasks they start in turn, before it looks at what was sent.
    """
    current = asyncio.current_task()
    async with asyncio.timeout(SETTLE_TIMEOUT):
        while True:
            pending = [
                task
                for task in asyncio.all_tasks()
                if task is not current
                and not task.done()
                and task.get_name().startswith(_DISCORD_TASK_PREFIXES)
            ]
            if not pending:
                return
            await asyncio.wait(pending)
