"""Which staff roles may read and keep the registry; views and navigation share these."""

from portal.models import Role

# See the rosters and the ledger (officials read, for reporting upward).
LEDGER_READERS = (Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.ADMINISTRATOR)
# Add, edit, confirm, import and care for workers: the community's own staff.
LEDGER_KEEPERS = (Role.COMMUNITY_STAFF, Role.ADMINISTRATOR)
