from django.shortcuts import render

from stations.selectors import StationNotFound


class StationNotFoundPages:
    """A page under a station's QR code (`s/<token>/…`, in any app) whose token names no station
    answers with the page for a code that was replaced (410) or never existed (404)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StationNotFound):
            return None
        if exception.replaced is not None:
            return render(
                request, "stations/replaced.html", {"station": exception.replaced}, status=410
            )
        return render(request, "stations/unknown.html", status=404)
