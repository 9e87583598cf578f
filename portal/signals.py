from django.dispatch import Signal

# Sent by `manage.py seed_demo` after the demo city and staff exist, with `areas` (division code →
# Area), `stdout` and `workers` (how many synthetic workers `--workers` asks for, 0 without it);
# each app adds its own demo rows from a receiver, idempotently.
seed_demo = Signal()
