"""`python -m bot` works exactly like the `parley` command."""

import sys

from bot.cli import main

sys.exit(main())
