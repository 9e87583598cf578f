"""Calls started at the same moment, each in a thread with a database connection of its own: how
the `services` tests show on PostgreSQL that requests racing for the same rows cannot both win."""

import threading

from django.db import connection


def race(calls, refused=()):
    """Run the calls at once (a barrier holds each thread until all are ready) and wait for all.
    Returns what each ended with, in the order they finished: "done", or the code of a refusal
    (an exception of the `refused` classes, which carry a machine-readable `code`). Any other
    exception fails the test, raised here together with the others."""
    barrier = threading.Barrier(len(calls))
    outcomes, errors = [], []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("done")
        except refused as refusal:
            outcomes.append(refusal.code)
        except Exception as error:  # raised below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise ExceptionGroup("calls in the race failed", errors)
    return outcomes
