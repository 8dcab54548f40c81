"""Chat in the terminal with a running Rasa server, over its REST channel: chat.py URL.

What `rasa shell` does, without starting a second Rasa server: `make run` uses it when the
server also serves Telegram. Type /stop to quit.
"""

from __future__ import annotations

import asyncio
import sys
import uuid


def main(url: str) -> int:
    """Read messages from the terminal and print the replies until /stop."""
    from rasa.core.channels.console import record_messages

    asyncio.run(record_messages(sender_id=uuid.uuid4().hex, server_url=url))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5005"))
