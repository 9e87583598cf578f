"""A text-message backend for tests that keeps what would have been sent (like mail.outbox)."""

import re

outbox: list[tuple[str, str]] = []


class RecordingBackend:
    def send(self, mobile: str, text: str) -> None:
        outbox.append((mobile, text))


def last_code(mobile: str) -> str:
    """The 6-digit code in the last text to `mobile`."""
    text = next(text for to, text in reversed(outbox) if to == mobile)
    return re.search(r"\d{6}", text).group()
