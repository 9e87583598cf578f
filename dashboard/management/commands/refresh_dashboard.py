import time

from django.core.management.base import BaseCommand, CommandError

from dashboard import refresh


class Command(BaseCommand):
    help = (
        "Recount the dashboard's figures: the current ones and the last days (default 2), or "
        "every day since the first record with --all (after areas were reorganised)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2, help="Recount the last N days.")
        parser.add_argument("--all", action="store_true", help="Recount every day.")

    def handle(self, *args, **options):
        if options["days"] < 1:
            raise CommandError("--days must be 1 or more.")
        started = time.perf_counter()
        done = refresh.rebuild() if options["all"] else refresh.refresh_recent(options["days"])
        self.stdout.write(
            f"Dashboard: figures counted up to {done.last_day} "
            f"in {time.perf_counter() - started:.1f} s."
        )
