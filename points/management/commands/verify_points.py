from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# One pass over the ledger grouped by worker, joined to the balances; only the rows that differ
# come back (and the accounts or entries without the other, by the full join). On PostgreSQL the
# rows are streamed through a server-side cursor, so memory stays flat however many differ.
DIFFERENCES = """
    WITH sums AS (
        SELECT worker_id, SUM(amount) AS total FROM points_entry GROUP BY worker_id
    )
    SELECT COALESCE(a.worker_id, s.worker_id), COALESCE(a.balance, 0), COALESCE(s.total, 0)
    FROM points_account a FULL OUTER JOIN sums s ON s.worker_id = a.worker_id
    WHERE COALESCE(a.balance, 0) <> COALESCE(s.total, 0)
    ORDER BY 1
"""


class Command(BaseCommand):
    help = "Check that every worker's points balance equals the sum of their ledger entries."

    def handle(self, *args, **options):
        differences = 0
        with connection.chunked_cursor() as cursor:
            cursor.execute(DIFFERENCES)
            while rows := cursor.fetchmany(2000):
                for worker_id, balance, total in rows:
                    differences += 1
                    self.stdout.write(
                        f"worker {worker_id}: balance {balance}, ledger {total}, "
                        f"difference {balance - total:+d}"
                    )
        if differences:
            raise CommandError(f"{differences} balance(s) differ from the ledger.")
        self.stdout.write(self.style.SUCCESS("Every balance equals the sum of its ledger."))
