"""Text messages, sent through a backend class named by settings.SMS_BACKEND (like e-mail).

A real provider's backend is a class with `send(mobile, text)`; the console backend prints the
message with the number masked, so development needs no provider.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

from portal.privacy import mask_mobile


class ConsoleBackend:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, mobile: str, text: str) -> None:
        self.stream.write(f"SMS to {mask_mobile(mobile)}: {text}\n")
        self.stream.flush()


def send_sms(mobile: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(mobile, text)
