"""A server's case notes: added, listed, shown and removed, within limits, by managers only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from bot.discuss.notes import NoteLimits, NoteRejected, NoteService
from bot.knowledge.store import server_scope
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.discuss.team_fakes import (
    ADMIN,
    MANAGER,
    MANAGER_ROLE_ID,
    MEMBER,
    MODAL,
    FileOption,
    RoleOption,
    TeamDiscord,
    form_labels,
)

CASE = (
    "Our distributor in Lisbon asked for exclusivity for five years. The founder liked him "
    "and agreed on a call, with no minimum volumes and no exit clause."
)


def pdf_bytes(tmp_path: Path, text: str) -> bytes:
    """A real one-page PDF with ``text`` on it."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    figure.text(0.05, 0.5, text)
    figure.savefig(tmp_path / "case.pdf")
    plt.close(figure)
    return (tmp_path / "case.pdf").read_bytes()


@pytest.fixture
def notes(parley_app: Any) -> NoteService:
    """The app's note service with small limits, so tests can reach them."""
    parley_app.notes.limits = NoteLimits(max_chars=2000, max_bytes=50_000, per_server=3)
    return parley_app.notes


async def test_a_typed_note_is_written_under_the_data_dir_and_indexed_for_its_server(
    notes: NoteService, parley_app: Any
) -> None:
    added = await notes.add_text(
        GUILD_ID, title="Lisbon exclusivity", text=CASE, tags=["Distribution", "exclusivity"]
    )

    path = parley_app.settings.data_dir / "notes" / str(GUILD_ID) / "lisbon-exclusivity.md"
    assert path.read_text().startswith("---\ntitle: Lisbon exclusivity\ntags:\n- distribution")
    (source,) = parley_app.knowledge.sources(scope=server_scope(GUILD_ID))
    assert (source.title, source.origin, Path(source.path)) == (
        "Lisbon exclusivity",
        "discord",
        path,
    )
    assert (added.note.name, added.replaced, added.reads_like_instructions) == (
        "lisbon-exclusivity",
        False,
        False,
    )


async def test_a_note_with_the_same_title_replaces_the_first(notes: NoteService) -> None:
    await notes.add_text(GUILD_ID, title="Lisbon exclusivity", text=CASE)

    again = await notes.add_text(GUILD_ID, title="Lisbon  Exclusivity", text=CASE + " Update.")

    assert again.replaced
    assert [n.name for n in await notes.list(GUILD_ID)] == ["lisbon-exclusivity"]
    assert (await notes.show(GUILD_ID, "lisbon-exclusivity")).text.endswith("Update.")


@pytest.mark.parametrize("filename", ["case.md", "case.txt", "case.pdf"])
async def test_md_txt_and_pdf_files_become_notes(
    notes: NoteService, tmp_path: Path, filename: str
) -> None:
    data = pdf_bytes(tmp_path, CASE[:80]) if filename.endswith(".pdf") else CASE.encode()

    added = await notes.add_file(GUILD_ID, filename, data)

    assert added.note.name == "case"
    assert "distributor in Lisbon" in (await notes.show(GUILD_ID, "case")).text


@pytest.mark.parametrize(
    ("filename", "size", "reason"),
    [
        ("deal.docx", 100, "attach a .md, .txt or .pdf file"),
        ("deal.png", 100, "attach a .md, .txt or .pdf file"),
        ("big.pdf", 50_001, "big.pdf is 48 KB; notes can be at most 48 KB."),
        ("empty.md", 0, "empty.md is empty."),
    ],
)
def test_uploads_are_checked_by_type_and_size_before_download(
    notes: NoteService, filename: str, size: int, reason: str
) -> None:
    with pytest.raises(NoteRejected, match=re.escape(reason)):
        notes.check_upload(filename, size)


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("", CASE, "Give the note a title."),
        ("x" * 101, CASE, "the most is 100"),
        ("Blank", "   \n ", "The note has no text."),
        ("Long", "word " * 500, "the limit is 2,000. Split it into several notes."),
    ],
)
async def test_notes_outside_the_limits_are_refused_with_the_reason(
    notes: NoteService, title: str, text: str, reason: str
) -> None:
    with pytest.raises(NoteRejected, match=re.escape(reason)):
        await notes.add_text(GUILD_ID, title=title, text=text)
    assert await notes.list(GUILD_ID) == []


async def test_a_server_may_keep_only_so_many_notes(notes: NoteService) -> None:
    for n in range(3):
        await notes.add_text(GUILD_ID, title=f"Case {n}", text=CASE)

    with pytest.raises(NoteRejected, match="already has 3 notes"):
        await notes.add_text(GUILD_ID, title="Case 4", text=CASE)
    await notes.add_text(GUILD_ID, title="Case 1", text=CASE + " Revised.")  # replacing is fine


async def test_a_file_that_cannot_be_read_is_refused_and_not_kept(
    notes: NoteService, parley_app: Any
) -> None:
    with pytest.raises(NoteRejected, match=re.escape("I couldn't read broken.pdf")):
        await notes.add_file(GUILD_ID, "broken.pdf", b"%PDF-1.4 not really")

    assert not (parley_app.settings.data_dir / "notes" / str(GUILD_ID) / "broken.pdf").exists()


async def test_removing_a_note_deletes_its_file_and_its_passages(
    notes: NoteService, parley_app: Any
) -> None:
    added = await notes.add_text(GUILD_ID, title="Lisbon exclusivity", text=CASE)

    gone = await notes.remove(GUILD_ID, "Lisbon exclusivity")

    assert gone == added.note
    assert parley_app.knowledge.sources(scope=server_scope(GUILD_ID)) == []
    assert not list((parley_app.settings.data_dir / "notes" / str(GUILD_ID)).iterdir())


async def test_removing_a_note_added_from_the_cli_keeps_the_users_own_file(
    notes: NoteService, parley_app: Any, tmp_path: Path
) -> None:
    own = tmp_path / "my-case.md"
    own.write_text(CASE)
    parley_app.knowledge.add_paths([own], scope=server_scope(GUILD_ID))

    assert [n.name for n in await notes.list(GUILD_ID)] == ["my-case"]
    await notes.remove(GUILD_ID, "my-case")

    assert own.exists() and await notes.list(GUILD_ID) == []


async def test_an_unknown_note_is_named_in_the_refusal(notes: NoteService) -> None:
    with pytest.raises(NoteRejected, match="no note called 'nope'; see /notes list"):
        await notes.show(GUILD_ID, "nope")


# -- through Discord ----------------------------------------------------------------------


async def test_notes_add_opens_a_form_whose_answers_become_a_note(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await team_discord.run("notes", "add")
    form = (team_discord.callbacks(MODAL)[-1].json or {})["data"]
    await team_discord.submit_form(
        user=ADMIN, channel_id=TEXT_CHANNEL_ID, title="Lisbon exclusivity", tags="a, b", the=CASE
    )

    assert form_labels(form) == ["Title", "Tags (optional)", "The case"]
    assert team_discord.replies()[-1] == (
        "Added **Lisbon exclusivity** (`lisbon-exclusivity`, 1 passage(s)). "
        "It is used only on this server."
    )
    assert [n.title for n in await parley_app.notes.list(GUILD_ID)] == ["Lisbon exclusivity"]


async def test_notes_add_with_a_file_ingests_it(team_discord: TeamDiscord, parley_app: Any) -> None:
    await team_discord.run("notes", "add", file=FileOption("lisbon.md", CASE.encode()))

    assert team_discord.replies()[-1].startswith("Added **lisbon** (`lisbon`")
    assert [n.name for n in await parley_app.notes.list(GUILD_ID)] == ["lisbon"]


async def test_an_oversized_file_is_refused_without_downloading_it(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    too_big = parley_app.settings.note_max_bytes + 1
    await team_discord.run("notes", "add", file=FileOption("huge.pdf", b"%PDF", size=too_big))

    assert team_discord.replies() == ["huge.pdf is 5.0 MB; notes can be at most 5.0 MB."]
    assert team_discord.downloads == []


async def test_anyone_may_list_and_show_the_servers_notes(
    team_discord: TeamDiscord, parley_app: Any
) -> None:
    await parley_app.notes.add_text(GUILD_ID, title="Lisbon exclusivity", text=CASE)

    await team_discord.run("notes", "list", user=MEMBER)
    await team_discord.run("notes", "show", user=MEMBER, name="lisbon-exclusivity")

    assert (
        "- **Lisbon exclusivity** (`lisbon-exclusivity`, 1 passage(s))" in team_discord.replies()[0]
    )
    shown = team_discord.callbacks(4)[-1].json["data"]["embeds"][0]
    assert (
        shown["title"] == "Lisbon exclusivity" and "distributor in Lisbon" in shown["description"]
    )


@pytest.mark.parametrize(
    ("who", "role_set", "allowed"),
    [
        (ADMIN, False, True),
        (MANAGER, True, True),
        (MANAGER, False, False),
        (MEMBER, True, False),
    ],
    ids=["admin", "manager-role", "role-not-set", "member"],
)
async def test_only_admins_and_the_manager_role_may_add_or_remove_notes(
    team_discord: TeamDiscord, parley_app: Any, who: Any, role_set: bool, allowed: bool
) -> None:
    if role_set:
        await team_discord.run("parley", "config", manager_role=RoleOption(MANAGER_ROLE_ID))
    await parley_app.notes.add_text(GUILD_ID, title="Lisbon exclusivity", text=CASE)
    team_discord.clear()

    await team_discord.run("notes", "add", user=who)
    await team_discord.run("notes", "remove", user=who, name="lisbon-exclusivity")

    assert bool(team_discord.callbacks(MODAL)) == allowed
    assert bool(await parley_app.notes.list(GUILD_ID)) != allowed
    if not allowed:
        who_may = "server admins" + (
            f" and members with the <@&{MANAGER_ROLE_ID}> role" if role_set else ""
        )
        refusal = f"Only {who_may} can manage Parley's notes and schedules here."
        assert team_discord.replies() == [refusal, refusal]
