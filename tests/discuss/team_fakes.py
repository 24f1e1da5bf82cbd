"""The fake Discord of ``tests/discord``, grown for team features: two servers, people with
roles and permissions, buttons, forms and file uploads.

Only the wire is fake, as before: interactions are real ``INTERACTION_CREATE`` payloads fed
to discord.py's ``ConnectionState``, so the bot runs its real command tree, checks, dynamic
buttons and modals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from discord.http import Route

from tests.discord.discord_fakes import (
    APPLICATION_ID,
    BOT_ID,
    BOT_ROLE_ID,
    GUILD_ID,
    INTERACTION_CALLBACK,
    SEND_MESSAGE,
    START_THREAD,
    TEXT_CHANNEL_ID,
    USER_ID,
    FakeDiscord,
    Payload,
    Request,
    _route_args,
    member_payload,
    settle,
    user_payload,
)

OTHER_GUILD_ID = 900_000_000_000_001_100
OTHER_CHANNEL_ID = 900_000_000_000_001_200
SECOND_CHANNEL_ID = 900_000_000_000_000_210
MANAGER_ROLE_ID = 900_000_000_000_000_600

EDIT_MESSAGE = "PATCH /channels/{channel_id}/messages/{message_id}"
GET_CHANNEL = "GET /channels/{channel_id}"

MODAL = 9  # interaction callback type: open a form
UPDATE_MESSAGE = 7  # interaction callback type: edit the message the button is on
CHANNEL_MESSAGE = 4  # interaction callback type: reply

# Tasks discord.py starts for slash commands, events, buttons and forms (not view timeouts).


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in a server: their id, name, roles and channel permissions."""

    id: int
    name: str
    roles: tuple[int, ...] = ()
    permissions: int = 0


ADMIN = Person(USER_ID, "Ada Admin", permissions=discord.Permissions.all().value)
MANAGER = Person(900_000_000_000_000_701, "Max Manager", roles=(MANAGER_ROLE_ID,))
MEMBER = Person(900_000_000_000_000_702, "Mo Member")
ANA = Person(900_000_000_000_000_703, "Ana")
BO = Person(900_000_000_000_000_704, "Bo")


@dataclass(frozen=True, slots=True)
class RoleOption:
    """A role picked in a slash-command option."""

    id: int
    name: str = "Coaches"


@dataclass(frozen=True, slots=True)
class ChannelOption:
    """A text channel picked in a slash-command option."""

    id: int
    name: str = "coaching"


@dataclass(frozen=True, slots=True)
class FileOption:
    """A file attached to a slash command."""

    filename: str
    data: bytes
    size: int | None = None  # what Discord reports; defaults to len(data)


class TeamDiscord(FakeDiscord):
    """Two servers (one with a manager role and two channels), buttons, forms and uploads."""

    def __init__(self, bot: Any) -> None:
        super().__init__(bot)
        self.messages: dict[int, Payload] = {}  # what the bot posted, by message id
        self.cdn: dict[str, bytes] = {}  # attachments, by address
        self.downloads: list[str] = []  # addresses the bot downloaded
        self._guild_of: dict[int, int] = {
            TEXT_CHANNEL_ID: GUILD_ID,
            SECOND_CHANNEL_ID: GUILD_ID,
            OTHER_CHANNEL_ID: OTHER_GUILD_ID,
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        super().install(monkeypatch)

        async def get_from_cdn(url: str) -> bytes:
            self.downloads.append(url)
            return self.cdn[url]

        monkeypatch.setattr(self.bot.http, "get_from_cdn", get_from_cdn)

    def join_servers(self) -> None:
        """GUILD_CREATE for both servers."""
        self.bot._connection.parse_guild_create(self.server_payload(GUILD_ID, "Negotiators"))
        self.bot._connection.parse_guild_create(self.server_payload(OTHER_GUILD_ID, "Others"))

    # -- the wire ------------------------------------------------------------------------

    def _answer(self, route: Route, body: Payload | None, params: dict[str, Any] | None) -> Any:
        handler = _TEAM_HANDLERS.get(f"{route.method} {route.path}")
        if handler is None:
            return super()._answer(route, body, params)
        request = Request(route.method, route.path, _route_args(route), body, params)
        self.requests.append(request)
        return handler(self, request)

    def _post_message(self, request: Request) -> Payload:
        body = request.json or {}
        channel_id = int(request.args["channel_id"])
        payload = self.message_payload(
            channel_id,
            author=user_payload(BOT_ID, "Parley", bot=True),
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
        )
        payload["components"] = body.get("components") or []
        self.messages[int(payload["id"])] = payload
        return payload

    def _open_thread(self, request: Request) -> Payload:
        parent_id = int(request.args["channel_id"])
        thread = self.thread_payload(
            int(request.args["message_id"]), parent_id, name=(request.json or {})["name"]
        )
        thread["guild_id"] = str(self._guild_of[parent_id])
        self._guild_of[int(thread["id"])] = self._guild_of[parent_id]
        self.bot._connection.parse_thread_create({**thread, "newly_created": True})
        return thread

    def _edit_message(self, request: Request) -> Payload:
        message_id = int(request.args["message_id"])
        payload = {**self.messages.get(message_id, {}), **(request.json or {})}
        self.messages[message_id] = payload
        return payload

    def _channel(self, request: Request) -> Payload:
        channel_id = int(request.args["channel_id"])
        return {"id": str(channel_id), "type": 0, "name": "gone", "position": 0}

    def add_thread(
        self, thread_id: int, *, name: str = "a thread", parent_id: int = TEXT_CHANNEL_ID
    ) -> None:
        """A thread that already exists (e.g. opened before a restart), as THREAD_CREATE."""
        payload = self.thread_payload(thread_id, parent_id, name=name)
        payload["guild_id"] = str(self._guild_of[parent_id])
        self._guild_of[thread_id] = self._guild_of[parent_id]
        self.bot._connection.parse_thread_create({**payload, "newly_created": True})

    # -- what the bot posted ---------------------------------------------------------------

    def posted_in(self, channel_id: int) -> list[Payload]:
        """Messages the bot posted in a channel or thread, in order."""
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def threads_opened(self) -> list[int]:
        """Ids of the threads the bot opened, in order (a thread takes its message's id)."""
        return [int(r.args["message_id"]) for r in self.sent(START_THREAD)]

    def message_with(self, custom_id: str) -> Payload:
        """The posted message that carries a component with this custom id."""
        for message in reversed(list(self.messages.values())):
            if custom_id in {c.get("custom_id") for c in _walk(message.get("components", []))}:
                return message
        raise AssertionError(f"no posted message has a component {custom_id!r}")

    def callbacks(self, kind: int) -> list[Request]:
        """Interaction callbacks of one type (reply, form, message update...)."""
        return [r for r in self.sent(INTERACTION_CALLBACK) if (r.json or {}).get("type") == kind]

    def replies(self) -> list[str]:
        """The text of every interaction reply and follow-up, in order."""
        texts = []
        for request in self.requests:
            body = request.json or {}
            if request.key == INTERACTION_CALLBACK and body.get("type") == CHANNEL_MESSAGE:
                texts.append((body.get("data") or {}).get("content") or "")
            elif request.key.startswith("POST /webhooks/"):
                texts.append(body.get("content") or "")
        return texts

    # -- payloads ------------------------------------------------------------------------

    def server_payload(self, guild_id: int, name: str) -> Payload:
        """GUILD_CREATE: the bot, its role, a manager role and the server's channels."""
        roles = [
            {"id": str(guild_id), "name": "@everyone", "permissions": "0", "position": 0},
            {
                "id": str(BOT_ROLE_ID),
                "name": "Parley",
                "permissions": "0",
                "position": 1,
                "managed": True,
                "tags": {"bot_id": str(BOT_ID)},
            },
            {"id": str(MANAGER_ROLE_ID), "name": "Coaches", "permissions": "0", "position": 2},
        ]
        channels = [
            {"id": str(c), "type": 0, "name": f"channel-{n}", "position": n}
            for n, c in enumerate(c for c, g in self._guild_of.items() if g == guild_id)
        ]
        return {
            "id": str(guild_id),
            "name": name,
            "owner_id": str(USER_ID),
            "member_count": 2,
            "roles": roles,
            "channels": channels,
            "members": [
                member_payload(user_payload(BOT_ID, "Parley", bot=True), roles=(BOT_ROLE_ID,))
            ],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
        }

    def interaction(
        self,
        kind: int,
        data: Payload,
        *,
        user: Person,
        channel_id: int,
        message: Payload | None = None,
    ) -> Payload:
        """An INTERACTION_CREATE payload from ``user`` in a channel or thread."""
        guild_id = self._guild_of[channel_id]
        channel = {"id": str(channel_id), "type": 0, "name": "general", "position": 0}
        if channel_id not in (TEXT_CHANNEL_ID, SECOND_CHANNEL_ID, OTHER_CHANNEL_ID):
            parent = next(c for c, g in self._guild_of.items() if g == guild_id)
            channel = {**self.thread_payload(channel_id, parent, name="a thread")}
            channel["guild_id"] = str(guild_id)
        payload: Payload = {
            "id": str(self.new_id()),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": f"interaction-token-{self.new_id()}",
            "version": 1,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": channel,
            "member": {
                **member_payload(user_payload(user.id, user.name), roles=user.roles),
                "permissions": str(user.permissions),
            },
            "app_permissions": str(discord.Permissions.all().value),
            "attachment_size_limit": 10 * 1024 * 1024,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        return payload

    def command_data(
        self, command: str, subcommand: str | None, options: dict[str, Any]
    ) -> Payload:
        """The ``data`` of a slash command, with resolved roles, channels and files."""
        resolved: Payload = {}
        typed = [self._option(name, value, resolved) for name, value in options.items()]
        if subcommand is not None:
            typed = [{"type": 1, "name": subcommand, "options": typed}]
        data: Payload = {"id": str(self.new_id()), "name": command, "type": 1, "options": typed}
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(self, name: str, value: Any, resolved: Payload) -> Payload:
        if isinstance(value, bool):
            return {"type": 5, "name": name, "value": value}
        if isinstance(value, int):
            return {"type": 4, "name": name, "value": value}
        if isinstance(value, RoleOption):
            role = {"id": str(value.id), "name": value.name, "permissions": "0", "position": 2}
            resolved.setdefault("roles", {})[str(value.id)] = role
            return {"type": 8, "name": name, "value": str(value.id)}
        if isinstance(value, ChannelOption):
            channel = {"id": str(value.id), "type": 0, "name": value.name, "permissions": "0"}
            resolved.setdefault("channels", {})[str(value.id)] = channel
            return {"type": 7, "name": name, "value": str(value.id)}
        if isinstance(value, FileOption):
            file_id = str(self.new_id())
            url = f"https://cdn.example/{file_id}/{value.filename}"
            self.cdn[url] = value.data
            resolved.setdefault("attachments", {})[file_id] = {
                "id": file_id,
                "filename": value.filename,
                "size": len(value.data) if value.size is None else value.size,
                "url": url,
                "proxy_url": url,
            }
            return {"type": 11, "name": name, "value": file_id}
        return {"type": 3, "name": name, "value": str(value)}

    # -- what people do ------------------------------------------------------------------

    async def run(
        self,
        command: str,
        subcommand: str | None = None,
        *,
        user: Person = ADMIN,
        channel_id: int = TEXT_CHANNEL_ID,
        **options: Any,
    ) -> None:
        """``user`` runs ``/command subcommand option:value`` and the bot finishes with it."""
        data = self.command_data(command, subcommand, options)
        self._play(self.interaction(2, data, user=user, channel_id=channel_id))
        await settle()

    async def click(self, custom_id: str, *, user: Person) -> None:
        """``user`` presses the button with this custom id on the message that carries it."""
        message = self.message_with(custom_id)
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = int(message["channel_id"])
        self._play(self.interaction(3, data, user=user, channel_id=channel_id, message=message))
        await settle()

    async def submit_form(self, *, user: Person, channel_id: int, **values: str) -> None:
        """``user`` fills in the last form the bot opened (fields by label start) and sends it."""
        form = (self.callbacks(MODAL)[-1].json or {})["data"]
        rows = []
        for component in _walk(form["components"]):
            label = component.get("label", "")
            if component.get("type") == 4 and "custom_id" in component:
                value = next((v for k, v in values.items() if label.lower().startswith(k)), "")
                rows.append(
                    {
                        "type": 1,
                        "components": [
                            {"type": 4, "custom_id": component["custom_id"], "value": value}
                        ],
                    }
                )
        data = {"custom_id": form["custom_id"], "components": rows}
        self._play(self.interaction(5, data, user=user, channel_id=channel_id))
        await settle()

    def _play(self, payload: Payload) -> None:
        self.bot._connection.parse_interaction_create(payload)


def form_labels(form: Payload) -> list[str]:
    """The labels of a form's text inputs, in order."""
    return [c["label"] for c in _walk(form["components"]) if c.get("type") == 4]


def _walk(components: list[Payload]) -> Iterator[Payload]:
    """Every component, inside action rows and labels too."""
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            inner = component["component"]
            yield {**inner, "label": inner.get("label") or component.get("label", "")}


_TEAM_HANDLERS = {
    SEND_MESSAGE: TeamDiscord._post_message,
    START_THREAD: TeamDiscord._open_thread,
    EDIT_MESSAGE: TeamDiscord._edit_message,
    GET_CHANNEL: TeamDiscord._channel,
}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self.now = when


MONDAY_0800_UTC = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
