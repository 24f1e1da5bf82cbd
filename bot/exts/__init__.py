"""Discord extensions of Parley, loaded in this order by ``ParleyBot.setup_hook``."""

# Errors first, so the global handlers are in place before any command can run.
EXTENSIONS: tuple[str, ...] = (
    "bot.exts.errors",
    "bot.exts.coach",
    "bot.exts.config",
    "bot.exts.notes",
    "bot.exts.discuss",
    "bot.exts.prep",
)
