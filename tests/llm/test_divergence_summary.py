"""With an LLM configured, a divergence reveal opens with the model's account, checked first."""

from __future__ import annotations

from bot.app import Parley
from tests.discord.discord_fakes import GUILD_ID, TEXT_CHANNEL_ID
from tests.llm.conftest import RecordingFake

SUMMARY = (
    "Ana relies on the seller's character while Bo wants an inspection and escrow; "
    "which risk does each of you think matters most?"
)
ADVICE = "You should always insist on escrow."


async def reveal_with(app: Parley) -> tuple[str, ...]:
    discussions = app.discussions
    prompt = await discussions.prompt(GUILD_ID, TEXT_CHANNEL_ID)
    opened = await discussions.open_round(
        guild_id=GUILD_ID, thread_id=1, facilitator_id=1, prompt=prompt, closes_at=None
    )
    await discussions.answer(opened.id, user_id=2, author="Ana", text="The seller seems honest.")
    await discussions.answer(opened.id, user_id=3, author="Bo", text="Inspection, then escrow.")
    reveal = await discussions.close_round(opened.id)
    assert reveal is not None
    return reveal.differences


async def test_model_summary_leads_the_differences(llm_app) -> None:
    differences = await reveal_with(await llm_app(RecordingFake(responses=[SUMMARY], calls=[])))
    assert differences[0] == SUMMARY
    assert len(differences) > 1  # Parley's own reading still follows


async def test_advice_from_the_model_is_left_out(llm_app) -> None:
    differences = await reveal_with(await llm_app(RecordingFake(responses=[ADVICE], calls=[])))
    assert ADVICE not in differences and differences
