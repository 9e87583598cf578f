"""Who may do what: the groups of staff roles that views (role_required), their navigation entries
and their "may change this" checks share, one name per group."""

from portal.models import Role

# Read an area's lists and records: the ledger and rosters, stations, suggestions, activities,
# points, the area pages and the dashboard. Officials read, for reporting upward.
READERS = (Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.ADMINISTRATOR)
# Keep them: add, edit, confirm, import, care visits, stations, assessing suggestions, points and
# rewards. The community's own staff.
KEEPERS = (Role.COMMUNITY_STAFF, Role.ADMINISTRATOR)
# Read department tasks: the handlers who work them, and whoever reads the area.
TASK_READERS = (Role.DEPARTMENT_HANDLER, *READERS)
# Work department tasks: progress notes, done.
TASK_WORKERS = (Role.DEPARTMENT_HANDLER, Role.ADMINISTRATOR)
