"""Refusals: the one base of the errors services raise when they refuse a change (pretix's
CheckInError, the HackSoft styleguide's ApplicationError), and how a view tells the user."""

from contextlib import contextmanager

from django.contrib import messages


class DomainError(Exception):
    """A change a service refuses and changes nothing: `code` names the refusal for code (tests,
    the API), the message says why to the person who tried it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@contextmanager
def flash_refusal(request, level: int = messages.ERROR):
    """Call a service and flash how it went: a refusal inside the block ends it and becomes a
    message at `level`; the block's own success message and redirect follow the call.

        with flash_refusal(request):
            services.rate(suggestion, rating=rating)
            messages.success(request, _("Thank you for rating the outcome."))
        return redirect("feedback:track", suggestion.tracking_code)
    """
    try:
        yield
    except DomainError as error:
        messages.add_message(request, level, str(error))
