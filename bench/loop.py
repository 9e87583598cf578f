"""The department desk and the riders' opinions for bench/province.py: what the rates officials
are judged by are counted from (dashboard.rates). Run as steps of the province's fill, after the
tasks, with the same hashes of row numbers, so every fill is the same.

- sub-types (issue types) for 70 % of the suggestions, of their category;
- 签收: every task to be acknowledged within a day (an urgent tenth within 2 hours) of being
  assigned; 85 % are in time, 10 % late, and 5 % of those still open not yet;
- 退单: for 4 % of the tasks, the suggestion was first sent to another department of the same
  area, which returned it a few hours later (the task that follows is the re-routed one);
- 延期: 6 % of the tasks asked for more time halfway to their deadline: four in five approved
  (the task's deadline is the one approved), the others refused;
- 督办: 3 % of the tasks got a supervision notice the day before they were due;
- 6 % of the closed suggestions were reopened once before they were resolved for good;
- 回访: half of the suggestions closed without an online rating were called back, nine in ten
  reaching the rider (which closed it), the others earlier and not reached.
"""

ISSUE_TYPES_SQL = """
WITH types AS MATERIALIZED (
    SELECT category, array_agg(id ORDER BY "order", id) AS ids, count(*)::int AS total
    FROM feedback_issuetype GROUP BY category
)
UPDATE feedback_suggestion s
SET issue_type_id = t.ids[1 + pg_temp.bench_r(s.id, 130, t.total)::int]
FROM types t
WHERE t.category = s.category AND pg_temp.bench_r(s.id, 131, 100) < 70
"""

ACKNOWLEDGED_SQL = """
UPDATE feedback_task t
SET acknowledge_by = a.acknowledge_by,
    acknowledged_at = CASE WHEN a.acknowledged_at <= now() THEN a.acknowledged_at END
FROM (
    SELECT x.id, x.acknowledge_by,
        CASE WHEN x.r < 85
                THEN x.created_at + (x.acknowledge_by - x.created_at) * (0.05 + 0.9 * x.u)
            WHEN x.r < 95 OR x.state = 'done'
                THEN x.acknowledge_by + interval '1 hour' * (1 + 70 * x.u)
            END AS acknowledged_at
    FROM (
        SELECT id, created_at, state,
            created_at + CASE WHEN pg_temp.bench_r(id, 132, 10) = 0
                THEN interval '2 hours' ELSE interval '1 day' END AS acknowledge_by,
            pg_temp.bench_r(id, 133, 100) AS r, pg_temp.bench_u(id, 134) AS u
        FROM feedback_task
        OFFSET 0
    ) x
    OFFSET 0
) a
WHERE t.id = a.id
"""
# Done before it was acknowledged cannot be: then it was acknowledged when it was done.
ACKNOWLEDGED_BEFORE_DONE_SQL = """
UPDATE feedback_task SET acknowledged_at = done_at
WHERE done_at IS NOT NULL AND acknowledged_at > done_at
"""

RETURNED_SQL = """
WITH departments AS MATERIALIZED (
    SELECT area_id, array_agg(id ORDER BY id) AS ids, count(*)::int AS total
    FROM feedback_department GROUP BY area_id
)
INSERT INTO feedback_task (suggestion_id, department_id, instructions, due_on, due_at, state,
    result, created_at, acknowledge_by, returned_at, return_reason, version)
SELECT t.suggestion_id,
    -- another department of the same area: one to total - 1 places further round
    dep.ids[1 + mod(array_position(dep.ids, t.department_id) - 1
        + 1 + pg_temp.bench_r(t.id, 135, dep.total - 1)::int, dep.total)],
    t.instructions, t.due_on, t.due_at, 'returned', '',
    t.created_at - interval '6 hours', t.created_at + interval '18 hours',
    t.created_at - interval '6 hours' + interval '1 hour' * (1 + 4 * pg_temp.bench_u(t.id, 136)),
    '经核实，该事项不属于本部门职责范围，请改派。', 1
FROM feedback_task t
JOIN feedback_department d ON d.id = t.department_id
JOIN departments dep ON dep.area_id = d.area_id
WHERE t.state <> 'returned' AND dep.total > 1 AND pg_temp.bench_r(t.id, 137, 100) < 4
    AND t.created_at - interval '1 hour' <= now()
ORDER BY t.created_at, t.id
"""

EXTENSIONS_SQL = """
INSERT INTO feedback_taskextension (task_id, reason, requested_at, previous_due_at,
    requested_due_at, decided_at, approved, new_due_at, decision_note)
SELECT x.id, '需协调多个部门，申请延长办理时限。', x.asked_at,
    CASE WHEN x.approved THEN x.due_at - x.more ELSE x.due_at END,
    CASE WHEN x.approved THEN x.due_at ELSE x.due_at + x.more END,
    x.asked_at + interval '4 hours', x.approved,
    CASE WHEN x.approved THEN x.due_at END, ''
FROM (
    SELECT id, due_at, created_at + (due_at - created_at) * 0.5 AS asked_at,
        pg_temp.bench_r(id, 138, 5) <> 0 AS approved,
        interval '1 day' * (3 + pg_temp.bench_r(id, 139, 8)) AS more
    FROM feedback_task
    WHERE state <> 'returned' AND pg_temp.bench_r(id, 140, 100) < 6
    OFFSET 0
) x
WHERE x.asked_at + interval '4 hours' <= now()
ORDER BY x.asked_at, x.id
"""

SUPERVISIONS_SQL = """
INSERT INTO feedback_tasksupervision (task_id, text, created_at, seen_at)
SELECT id, '请抓紧办理，按时反馈结果。', due_at - interval '1 day', due_at - interval '20 hours'
FROM feedback_task
WHERE state <> 'returned' AND pg_temp.bench_r(id, 141, 100) < 3
    AND due_at - interval '1 day' > created_at AND due_at - interval '1 day' <= now()
ORDER BY due_at, id
"""

REOPENED_SQL = """
INSERT INTO feedback_event (suggestion_id, kind, from_state, to_state, text, public, created_at)
SELECT id, 'reopened', 'resolved', 'submitted', '问题没有解决。', true,
    assessed_at + (resolved_at - assessed_at) * 0.5
FROM feedback_suggestion
WHERE state = 'closed' AND resolved_at IS NOT NULL AND pg_temp.bench_r(id, 142, 100) < 6
ORDER BY id
"""

CALLBACKS_SQL = """
INSERT INTO feedback_callback (suggestion_id, reached, satisfaction, words, created_at)
SELECT id, true, CASE WHEN c.r < 45 THEN 5 WHEN c.r < 75 THEN 4 WHEN c.r < 88 THEN 3
        WHEN c.r < 95 THEN 2 ELSE 1 END, '', closed_at
FROM (
    SELECT id, closed_at, pg_temp.bench_r(id, 143, 100) AS r
    FROM feedback_suggestion
    WHERE state = 'closed' AND rating IS NULL AND resolved_at IS NOT NULL
        AND pg_temp.bench_r(id, 144, 100) < 50
    OFFSET 0
) c
UNION ALL
SELECT id, false, NULL, '电话无人接听。', resolved_at + (closed_at - resolved_at) * 0.5
FROM feedback_suggestion
WHERE state = 'closed' AND rating IS NULL AND resolved_at IS NOT NULL
    AND pg_temp.bench_r(id, 144, 100) < 50 AND pg_temp.bench_r(id, 145, 10) = 0
"""


def _sql(*statements):
    def step(cursor, params, state):
        for statement in statements:
            cursor.execute(statement, params)

    return step


# (table, step) after bench/province.py's tasks.
STEPS = [
    ("feedback_issuetype", _sql(ISSUE_TYPES_SQL)),
    ("feedback_task_acknowledged", _sql(ACKNOWLEDGED_SQL, ACKNOWLEDGED_BEFORE_DONE_SQL)),
    ("feedback_task_returned", _sql(RETURNED_SQL)),
    ("feedback_taskextension", _sql(EXTENSIONS_SQL)),
    ("feedback_tasksupervision", _sql(SUPERVISIONS_SQL)),
    ("feedback_event", _sql(REOPENED_SQL)),
    ("feedback_callback", _sql(CALLBACKS_SQL)),
]
TABLES = [
    "feedback_taskextension",
    "feedback_tasksupervision",
    "feedback_event",
    "feedback_callback",
]
