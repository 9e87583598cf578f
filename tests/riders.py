"""A rider signed in on a test client, as the texted-code step leaves the session."""

from registry.services.riders import SESSION_KEY


def sign_in_rider(client, worker):
    session = client.session
    session[SESSION_KEY] = worker.pk
    session.save()
    return client
