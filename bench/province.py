"""A province's worth of data for the dashboard benchmark: 河南省, 10 cities, 3,840 communities.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_province .venv/bin/python -m bench.province

Migrates, then fills the database with SQL (INSERT … SELECT over generate_series, in one
transaction, so a failed fill leaves nothing behind): the area tree with materialised paths,
four staff users (password "bench"), 1,000,000 workers registered over two years, their
check-ins, enterprises, care visits, 2,000 stations with their standard items and 2,000,000
visits, 200 departments, 1,000,000 suggestions with about 400,000 tasks, 5,000,000 points entries
and the balances they sum to, volunteer teams, activities and sign-ups. Everything is drawn from
hashes of the row number (hashint8extended), not random(), so every fill is the same; time runs
forward with the row number, as a live database fills, and activity grows over the period (the
newest month is about twice as busy as the oldest). A re-run finds the province there and does
not fill again. It prints a Markdown table of the row counts and the seconds each step took.
"""  # noqa: E501  (the command line)

import math
import os
import sys
import time

from bench import loop

# ---------------------------------------------------------------------------------------------
# Sizes

CITIES = 10
DISTRICTS_PER_CITY = 8
STREETS_PER_DISTRICT = 8
COMMUNITIES_PER_STREET = 6  # 10 × 8 × 8 × 6 = 3,840 communities
WORKERS = 1_000_000
CHECK_INS = 1_000_000
ENTERPRISES = 20_000  # the platform companies (one per platform and city) included
CARE_VISITS = 20_000
STATIONS = 2_000
STATION_VISITS = 2_000_000
DEPARTMENTS = 200
SUGGESTIONS = 1_000_000
ENTRIES = 5_000_000
VOLUNTEER_TEAMS = 300
ACTIVITIES = 2_000  # with about 60,000 sign-ups

# The mix, in per cent where not said otherwise.
PENDING_OF_NEWEST = 40  # of the newest 5 % of workers: 2 % of all wait for confirmation
LEFT = 5
PARTY_MEMBERS, PROBATIONARY, LEAGUE = 8, 1, 10
MOBILE_PARTY_MEMBERS = 30  # of the party members
REJECTED, DUPLICATE = 7, 3  # of the suggestions, once assessed
# A suggestion waits for assessment from half an hour to 120 days (log-uniform), is resolved
# 3 hours to 40 days after that, or, for a long-running one, 90 to 900 days (most still open),
# then rated (which closes it) or closed unrated after FEEDBACK_AUTO_CLOSE_DAYS. That gives
# about 5 % submitted, 15 % accepted, 1 % resolved and 69 % closed.
LONG_RUNNING = 18
RATED = 58  # of the resolved suggestions, within the auto-close days
SECOND_TASK = 15  # of the suggestions with a task
CLOSED_WITH_TASKS = 26  # every accepted and resolved one has a task: about 400,000 in all
REDEEMING = 60  # of the points participants, twice a year
REFUNDED = 5  # of the redemptions

STAFF_PASSWORD = "bench"  # noqa: S105  (benchmark staff on a scratch database)
STAFF = [
    # (username, name, role, area: "province", "city", "district" or "community", the first)
    ("province_official", "省级干部", "official", "province"),
    ("city_official", "市级干部", "official", "city"),
    ("district_official", "区级干部", "official", "district"),
    ("community_staff", "社区工作者", "community_staff", "community"),
]

# ---------------------------------------------------------------------------------------------
# Names

PROVINCE = ("410000", "河南省")
# (code, name, latitude, longitude): Henan's cities and their centres (GCJ-02, roughly).
CITY_LIST = [
    ("410100", "郑州市", 34.747, 113.625),
    ("410200", "开封市", 34.797, 114.308),
    ("410300", "洛阳市", 34.619, 112.454),
    ("410400", "平顶山市", 33.766, 113.193),
    ("410500", "安阳市", 36.098, 114.393),
    ("410600", "鹤壁市", 35.748, 114.297),
    ("410700", "新乡市", 35.303, 113.927),
    ("410800", "焦作市", 35.216, 113.242),
    ("410900", "濮阳市", 35.762, 115.029),
    ("411000", "许昌市", 34.036, 113.852),
    ("411100", "漯河市", 33.582, 114.017),
    ("411200", "三门峡市", 34.773, 111.200),
    ("411300", "南阳市", 32.991, 112.528),
    ("411400", "商丘市", 34.415, 115.656),
    ("411500", "信阳市", 32.147, 114.091),
    ("411600", "周口市", 33.626, 114.697),
    ("411700", "驻马店市", 33.012, 114.022),
]
DISTRICT_NAMES = ["城东区", "城西区", "城南区", "城北区", "新华区", "中原区", "高新区", "经开区"]
STREET_NAMES = [
    "人民路街道",
    "解放路街道",
    "建设路街道",
    "文化路街道",
    "和平街道",
    "胜利街道",
    "新华路街道",
    "光明街道",
]
COMMUNITY_NAMES = ["幸福社区", "和谐社区", "阳光社区", "花园社区", "东风社区", "友谊社区"]
# Workers' names: a surname and one or two given characters, romanised one character at a
# time (for these characters that is what registry.models.romanise gives for the whole name).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓程"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰丽建国文志红宇浩鹏飞鑫晨阳辉俊凯"
# The platforms that have companies in the enterprise ledger, with their short names.
PLATFORM_NAMES = [
    ("meituan", "美团"),
    ("eleme", "饿了么"),
    ("sf", "顺丰速运"),
    ("jd", "京东物流"),
    ("didi", "滴滴出行"),
    ("zto", "中通快递"),
    ("yto", "圆通速递"),
    ("yunda", "韵达快递"),
    ("sto", "申通快递"),
    ("jt", "极兔速递"),
    ("ems", "中国邮政"),
    ("huolala", "货拉拉"),
    ("full_truck", "满帮"),
]
CITY_DEPARTMENTS = [
    "总工会",
    "市场监督管理局",
    "交通警察支队",
    "人力资源和社会保障局",
    "城市管理局",
    "新就业群体行业党委",
]
DISTRICT_DEPARTMENTS = ["总工会", "市场监督管理局"]  # under the city's of the same name
TEAM_NAMES = [
    "骑手先锋志愿服务队",
    "暖蜂志愿服务队",
    "红骑手服务队",
    "小哥志愿服务队",
    "蓝马甲志愿队",
]

# ---------------------------------------------------------------------------------------------
# SQL

# Helpers for this session (pg_temp): simple SQL functions, which the planner inlines.
HELPERS = [
    # A number in [0, m) and one in [0, 1) drawn from n; each seed draws independently.
    """CREATE OR REPLACE FUNCTION pg_temp.bench_r(n bigint, seed bigint, m bigint)
    RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT mod(hashint8extended(n, seed) & 9223372036854775807, m) $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.bench_u(n bigint, seed bigint)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ((hashint8extended(n, seed) >> 11) & 4503599627370495)::float8
        / 4503599627370496 $$""",
    # Time runs from 0 (the start of the period) to 1 (now) and activity doubles over it: the
    # time of the row at fraction f of the rows, and the fraction of rows before time s.
    """CREATE OR REPLACE FUNCTION pg_temp.bench_grow(f float8)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT sqrt(1 + 3 * f) - 1 $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.bench_before(s float8)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (power(1 + s, 2) - 1) / 3 $$""",
    # Points: what entry `key` (participant * 16 + block) earns, of what kind; whether the
    # participant redeems in group g (its sixth block), for what price (at most what the group's
    # blocks 2 to 5 earned, so a balance never goes below zero), and whether that is refunded
    # (in the first block of the next group).
    """CREATE OR REPLACE FUNCTION pg_temp.bench_earn(key bigint)
    RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (CASE
        WHEN pg_temp.bench_r(key, 91, 100) < 50 THEN 5 * (1 + pg_temp.bench_r(key, 92, 6))
        WHEN pg_temp.bench_r(key, 91, 100) < 70 THEN 10
        WHEN pg_temp.bench_r(key, 91, 100) < 90 THEN 5 + pg_temp.bench_r(key, 93, 11)
        ELSE 5 + pg_temp.bench_r(key, 94, 16) END)::int $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.bench_earn_kind(key bigint)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CASE
        WHEN pg_temp.bench_r(key, 91, 100) < 50 THEN 'activity'
        WHEN pg_temp.bench_r(key, 91, 100) < 70 THEN 'hazard_accepted'
        WHEN pg_temp.bench_r(key, 91, 100) < 90 THEN 'grid_duty'
        ELSE 'adjustment' END $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.bench_spends(i bigint, g bigint, share bigint)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT pg_temp.bench_r(i * 4 + g, 95, 100) < share $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.bench_price(i bigint, g bigint)
    RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 5 * greatest(1, floor(
        (pg_temp.bench_earn(i * 16 + 6 * g + 1) + pg_temp.bench_earn(i * 16 + 6 * g + 2)
            + pg_temp.bench_earn(i * 16 + 6 * g + 3) + pg_temp.bench_earn(i * 16 + 6 * g + 4))
        * (0.3 + 0.7 * pg_temp.bench_u(i * 4 + g, 96)) / 5))::int $$""",
]

# Small lookup tables for the fill, gone at its commit.
LOOKUPS = [
    """CREATE TEMP TABLE bench_city (idx int PRIMARY KEY, id bigint, name text, short text,
        pinyin text, initials text, latitude float8, longitude float8, first_community bigint)
        ON COMMIT DROP""",
    """CREATE TEMP TABLE bench_platform (idx int PRIMARY KEY, code text, name text, pinyin text,
        initials text) ON COMMIT DROP""",
    # Communities in code order: idx 0 … 3,839, with the areas above them.
    """CREATE TEMP TABLE bench_community ON COMMIT DROP AS
    SELECT (row_number() OVER (ORDER BY c.code) - 1)::int AS idx, c.id, c.name, c.path,
        (dense_rank() OVER (ORDER BY s.code) - 1)::int AS street_idx, s.id AS street_id,
        mod((dense_rank() OVER (ORDER BY s.code) - 1)::int, %(streets_per_district)s) AS stem,
        d.id AS district_id, d.name AS district_name, city.id AS city_id,
        (dense_rank() OVER (ORDER BY city.code) - 1)::int AS city_idx
    FROM portal_area c
    JOIN portal_area s ON s.id = c.parent_id
    JOIN portal_area d ON d.id = s.parent_id
    JOIN portal_area city ON city.id = d.parent_id
    WHERE city.parent_id = %(province)s AND c.level = 'community'""",
    "CREATE UNIQUE INDEX ON bench_community (idx)",
    "CREATE UNIQUE INDEX ON bench_community (id)",
]

# The paths, a level at a time: the province's, then each new area's under its parent's.
PROVINCE_PATH = "UPDATE portal_area SET path = '/' || id || '/' WHERE id = %(province)s"
CHILD_PATHS = """
UPDATE portal_area a SET path = p.path || a.id || '/' FROM portal_area p
WHERE a.parent_id = p.id AND a.path = '' AND p.path <> '' AND a.level = %(level)s
"""

WORKERS_SQL = """
INSERT INTO registry_worker (name, name_pinyin, name_initials, mobile, mobile_tail, occupation,
    platform, platform_other, area_id, registered_area_id, political_status, party_branch,
    membership_held_at, is_mobile_party_member, id_number, id_number_hash, status, confirmed_at,
    consent_version, consented_at, sensitive_consented_at, left_at, created_at, updated_at,
    refusal_reason)
SELECT
    a.sn[1 + w.sn] || a.gn[1 + w.g1] || CASE WHEN w.g2 < 0 THEN '' ELSE a.gn[1 + w.g2] END,
    a.sp[1 + w.sn] || a.gp[1 + w.g1] || CASE WHEN w.g2 < 0 THEN '' ELSE a.gp[1 + w.g2] END,
    a.si[1 + w.sn] || a.gi[1 + w.g1] || CASE WHEN w.g2 < 0 THEN '' ELSE a.gi[1 + w.g2] END,
    w.mobile, right(w.mobile, 4), w.occupation, w.platform,
    CASE WHEN w.platform <> 'other' THEN ''
        WHEN w.occupation = 'food_delivery' THEN '闪送'
        WHEN w.occupation = 'ride_hailing' THEN '曹操出行'
        WHEN w.occupation = 'truck' THEN '个体运输'
        ELSE '个体经营' END,
    c.id, c.id, w.politics,
    CASE WHEN w.party THEN %(party_branch)s ELSE '' END,
    CASE WHEN w.mobile_member THEN %(membership_held_at)s ELSE '' END,
    w.mobile_member, '', '', w.status, w.confirmed_at, %(consent_version)s, w.created_at,
    CASE WHEN w.party THEN w.created_at END,
    w.left_at, w.created_at, coalesce(w.left_at, w.confirmed_at, w.created_at), ''
FROM (
    SELECT v.*, CASE WHEN v.status = 'left'
        THEN v.confirmed_at + (now() - v.confirmed_at) * pg_temp.bench_u(v.n, 11) END AS left_at
    FROM (
        SELECT t.*,
            t.politics IN ('party_member', 'probationary') AS party,
            t.politics IN ('party_member', 'probationary')
                AND pg_temp.bench_r(t.n, 12, 100) < %(mobile_party_members)s AS mobile_member,
            CASE WHEN t.status <> 'pending' THEN least(now(),
                t.created_at + interval '1 hour' * (1 + pg_temp.bench_r(t.n, 10, 47)))
            END AS confirmed_at,
            CASE t.occupation
                WHEN 'food_delivery' THEN CASE WHEN t.pl < 60 THEN 'meituan'
                    WHEN t.pl < 95 THEN 'eleme' ELSE 'other' END
                WHEN 'courier' THEN CASE WHEN t.pl < 20 THEN 'sf' WHEN t.pl < 35 THEN 'jd'
                    WHEN t.pl < 50 THEN 'zto' WHEN t.pl < 62 THEN 'yto' WHEN t.pl < 74 THEN 'yunda'
                    WHEN t.pl < 82 THEN 'sto' WHEN t.pl < 92 THEN 'jt' ELSE 'ems' END
                WHEN 'ride_hailing' THEN CASE WHEN t.pl < 75 THEN 'didi' ELSE 'other' END
                WHEN 'truck' THEN CASE WHEN t.pl < 50 THEN 'huolala'
                    WHEN t.pl < 90 THEN 'full_truck' ELSE 'other' END
                ELSE 'other' END AS platform
        FROM (
            SELECT n,
                now() - interval '730 days'
                    * (1 - pg_temp.bench_grow((n - 0.5::float8) / %(workers)s)) AS created_at,
                CASE WHEN n > 0.95 * %(workers)s
                        AND pg_temp.bench_r(n, 3, 100) < %(pending_of_newest)s THEN 'pending'
                    WHEN pg_temp.bench_r(n, 5, 100) < %(left)s THEN 'left'
                    ELSE 'confirmed' END AS status,
                CASE WHEN pg_temp.bench_r(n, 4, 100) < %(party_members)s THEN 'party_member'
                    WHEN pg_temp.bench_r(n, 4, 100) < %(party_members)s + %(probationary)s
                        THEN 'probationary'
                    WHEN pg_temp.bench_r(n, 4, 100)
                        < %(party_members)s + %(probationary)s + %(league)s THEN 'league'
                    ELSE 'masses' END AS politics,
                CASE WHEN pg_temp.bench_r(n, 6, 100) < 40 THEN 'food_delivery'
                    WHEN pg_temp.bench_r(n, 6, 100) < 70 THEN 'courier'
                    WHEN pg_temp.bench_r(n, 6, 100) < 85 THEN 'ride_hailing'
                    WHEN pg_temp.bench_r(n, 6, 100) < 93 THEN 'truck'
                    ELSE 'other' END AS occupation,
                pg_temp.bench_r(n, 7, 100) AS pl,
                -- more riders in the first communities (the first city is the biggest)
                least(%(communities)s - 1,
                    floor(%(communities)s * power(pg_temp.bench_u(n, 9), 1.25)))::int
                    AS community,
                pg_temp.bench_r(n, 13, %(surname_count)s) AS sn,
                pg_temp.bench_r(n, 14, %(given_count)s) AS g1,
                CASE WHEN pg_temp.bench_r(n, 15, 10) = 0 THEN -1
                    ELSE pg_temp.bench_r(n, 16, %(given_count)s) END AS g2,
                (ARRAY['138', '139', '150', '151', '152', '158', '159', '186', '187', '188'])
                    [1 + mod(n, 10)]
                    || lpad(mod((n / 10)::bigint * 7919 + 1234567, 100000000)::text, 8, '0')
                    AS mobile
            FROM generate_series(1, %(workers)s) AS n
            OFFSET 0
        ) t
        OFFSET 0
    ) v
    OFFSET 0
) w
JOIN bench_community c ON c.idx = w.community
CROSS JOIN (SELECT %(surnames)s::text[] AS sn, %(surnames_pinyin)s::text[] AS sp,
    %(surnames_initials)s::text[] AS si, %(given)s::text[] AS gn,
    %(given_pinyin)s::text[] AS gp, %(given_initials)s::text[] AS gi) a
ORDER BY w.n
"""

# Check-ins over the last year, each by a worker registered by then, in their community.
CHECK_INS_SQL = """
INSERT INTO registry_checkin (worker_id, area_id, as_party_member, channel, recorded_by_id,
    created_at)
SELECT w.id, w.area_id, w.political_status IN ('party_member', 'probationary'), g.channel, NULL,
    g.created_at
FROM (
    SELECT n, now() - interval '365 days' * (1 - s) AS created_at,
        %(first_worker)s + floor(pg_temp.bench_u(n, 21)
            * (%(workers)s * pg_temp.bench_before(0.5 + 0.5 * s) - 1))::bigint AS worker_id,
        CASE WHEN pg_temp.bench_r(n, 22, 100) < 80 THEN 'self' ELSE 'staff' END AS channel
    FROM (
        SELECT n, pg_temp.bench_grow((n - 0.5::float8) / %(check_ins)s) AS s
        FROM generate_series(1, %(check_ins)s) AS n
        OFFSET 0
    ) t
    OFFSET 0
) g
JOIN registry_worker w ON w.id = g.worker_id
ORDER BY g.n
"""

# Branches and stations of the platforms, each under its platform's company in its city.
ENTERPRISES_SQL = """
INSERT INTO registry_enterprise (name, name_pinyin, name_initials, kind, platform, parent_id,
    area_id, address, workforce, party_organisation, party_instructor, contact_name,
    contact_phone, created_at, updated_at)
SELECT
    p.name || city.short || a.stems[1 + c.stem] || '第' || g.number || '站',
    p.pinyin || city.pinyin || a.stems_pinyin[1 + c.stem] || 'di' || g.number || 'zhan',
    p.initials || city.initials || a.stems_initials[1 + c.stem] || 'd' || g.number || 'z',
    'branch', p.code, company.id, c.id,
    city.name || c.district_name || a.roads[1 + c.stem] || (1 + g.number * 7) || '号',
    5 + pg_temp.bench_r(g.n, 33, 120),
    CASE WHEN g.org < 60 THEN 'none' WHEN g.org < 85 THEN 'joint_branch' ELSE 'own_branch' END,
    CASE WHEN g.org < 60 THEN '' ELSE (ARRAY['赵建国', '钱文静', '马俊', '孙立伟'])
        [1 + pg_temp.bench_r(g.n, 34, 4)] END,
    (ARRAY['王宇航', '刘鹏', '周晓峰', '吴海涛', '郑凯', '李娜'])[1 + pg_temp.bench_r(g.n, 35, 6)],
    '0371-' || (60000000 + g.n),
    g.created_at, g.created_at
FROM (
    SELECT n,
        least(%(communities)s - 1,
            floor(%(communities)s * power(pg_temp.bench_u(n, 30), 1.25)))::int AS community,
        pg_temp.bench_r(n, 31, %(platform_count)s)::int AS platform,
        1 + pg_temp.bench_r(n, 32, 30) AS number,
        pg_temp.bench_r(n, 36, 100) AS org,
        now() - interval '730 days' * pg_temp.bench_u(n, 37) AS created_at
    FROM generate_series(1, %(branches)s) AS n
    OFFSET 0
) g
JOIN bench_community c ON c.idx = g.community
JOIN bench_city city ON city.idx = c.city_idx
JOIN bench_platform p ON p.idx = g.platform
JOIN registry_enterprise company ON company.kind = 'platform' AND company.platform = p.code
    AND company.area_id = city.first_community
CROSS JOIN (SELECT %(stems)s::text[] AS stems, %(stems_pinyin)s::text[] AS stems_pinyin,
    %(stems_initials)s::text[] AS stems_initials, %(roads)s::text[] AS roads) a
ORDER BY g.n
"""

# 三必访 for party members registered by then: half visited and closed over the last year,
# half open and due from 20 days ago to 10 days ahead (each raised 14 days before it is due).
CARE_VISITS_SQL = """
WITH party AS MATERIALIZED (
    SELECT id, (row_number() OVER (ORDER BY id))::bigint AS rn
    FROM registry_worker
    WHERE political_status IN ('party_member', 'probationary') AND status <> 'pending'
), total AS (SELECT count(*) AS members FROM party)
INSERT INTO registry_carevisit (worker_id, trigger, trigger_notes, due_on, responsible_id,
    recorded_by_id, created_at, visited_on, visitor, visit_notes, follow_up_needed, closed_by_id,
    closed_at, last_reminded_on)
SELECT p.id, g.trigger,
    CASE g.trigger WHEN 'life_change' THEN '家中老人住院' WHEN 'job_change' THEN '更换配送平台'
        ELSE '近期接单量明显下降' END,
    g.due_on, NULL, NULL, g.created_at, g.visited_on,
    CASE WHEN g.closed THEN (ARRAY['社区党委书记', '网格员', '社区工作者'])
        [1 + pg_temp.bench_r(g.n, 47, 3)] ELSE '' END,
    CASE WHEN g.closed THEN '已上门走访，了解近况并宣传相关政策' ELSE '' END,
    g.closed AND pg_temp.bench_r(g.n, 48, 100) < 10,
    NULL,
    CASE WHEN g.closed THEN (g.visited_on + time '17:00') AT TIME ZONE %(tz)s
        + interval '1 minute' * pg_temp.bench_r(g.n, 49, 120) END,
    NULL
FROM (
    SELECT d.*,
        CASE WHEN d.closed THEN (d.created_at AT TIME ZONE %(tz)s)::date + 14
            ELSE d.open_due_on END AS due_on,
        CASE WHEN d.closed THEN (d.created_at AT TIME ZONE %(tz)s)::date
            + 1 + pg_temp.bench_r(d.n, 44, 13)::int END AS visited_on,
        1 + floor(pg_temp.bench_u(d.n, 50) * greatest(0, m.members * pg_temp.bench_before(
            1 - extract(epoch FROM now() - d.created_at) / (730 * 86400)) - 1))::bigint AS rn
    FROM (
        SELECT o.*, CASE WHEN o.closed
            THEN now() - interval '1 day' * (16 + pg_temp.bench_r(o.n, 42, 349))
                - interval '1 minute' * pg_temp.bench_r(o.n, 43, 600)
            ELSE (o.open_due_on - 14 + time '09:00') AT TIME ZONE %(tz)s
                + interval '1 minute' * pg_temp.bench_r(o.n, 46, 480) END AS created_at
        FROM (
            SELECT n, mod(n, 2) = 0 AS closed,
                (ARRAY['life_change', 'job_change', 'work_drop'])[1 + pg_temp.bench_r(n, 41, 3)]
                    AS trigger,
                (now() AT TIME ZONE %(tz)s)::date - 20 + pg_temp.bench_r(n, 45, 31)::int
                    AS open_due_on
            FROM generate_series(1, %(care_visits)s) AS n
            OFFSET 0
        ) o
        OFFSET 0
    ) d, total m
    OFFSET 0
) g
JOIN party p ON p.rn = g.rn
ORDER BY g.created_at
"""

STATIONS_SQL = """
INSERT INTO stations_station (name, kind, area_id, address, latitude, longitude, open_24h, hours,
    services, offer, contact_name, contact_phone, temporarily_closed, closure_reason, token,
    qr_png, qr_svg, qr_token, created_by_id, created_at, updated_at)
SELECT
    CASE g.kind
        WHEN 'party_centre' THEN c.name || '党群服务中心'
        WHEN 'warm_station' THEN c.name || '暖新驿站'
        WHEN 'outdoor_workers' THEN c.name || '户外劳动者服务站'
        WHEN 'love_corner' THEN c.name || '新业态爱心角'
        WHEN 'union' THEN c.name || '工会驿站'
        WHEN 'merchant' THEN (ARRAY['蜜雪冰城', '老家面馆', '便民超市', '华莱士', '胖东来'])
            [1 + pg_temp.bench_r(g.n, 55, 5)] || '（' || c.name || '店）'
        ELSE c.name || '友好街区' END,
    g.kind, c.id,
    city.name || c.district_name || a.roads[1 + c.stem] || (1 + pg_temp.bench_r(g.n, 56, 300))
        || '号',
    round((city.latitude + (pg_temp.bench_u(g.n, 60) - 0.5) * 0.2)::numeric, 6),
    round((city.longitude + (pg_temp.bench_u(g.n, 61) - 0.5) * 0.25)::numeric, 6),
    g.open_24h,
    CASE WHEN g.open_24h THEN '{}'
        WHEN g.kind = 'merchant' THEN '{"0": [["10:00", "02:00"]], "1": [["10:00", "02:00"]],
            "2": [["10:00", "02:00"]], "3": [["10:00", "02:00"]], "4": [["10:00", "02:00"]],
            "5": [["10:00", "02:00"]], "6": [["10:00", "02:00"]]}'
        WHEN g.kind = 'party_centre' THEN '{"0": [["09:00", "12:00"], ["14:00", "18:00"]],
            "1": [["09:00", "12:00"], ["14:00", "18:00"]],
            "2": [["09:00", "12:00"], ["14:00", "18:00"]],
            "3": [["09:00", "12:00"], ["14:00", "18:00"]],
            "4": [["09:00", "12:00"], ["14:00", "18:00"]], "5": [], "6": []}'
        ELSE '{"0": [["08:30", "20:00"]], "1": [["08:30", "20:00"]], "2": [["08:30", "20:00"]],
            "3": [["08:30", "20:00"]], "4": [["08:30", "20:00"]], "5": [["09:00", "18:00"]],
            "6": [["09:00", "18:00"]]}' END::jsonb,
    CASE g.kind
        WHEN 'party_centre'
            THEN '["legal_aid", "social_security", "counselling", "job_information"]'
        WHEN 'union' THEN '["legal_aid", "mediation"]'
        WHEN 'warm_station' THEN CASE WHEN mod(g.n, 3) = 0 THEN '["health_check"]' ELSE '[]' END
        ELSE '[]' END::jsonb,
    CASE WHEN g.kind = 'merchant' THEN (ARRAY['小哥套餐 7折', '免费热水', '优先取餐', '满20减5'])
        [1 + pg_temp.bench_r(g.n, 57, 4)] ELSE '' END,
    (ARRAY['王芳', '李强', '张伟', '刘洋', '陈静'])[1 + pg_temp.bench_r(g.n, 62, 5)],
    '1380371' || lpad(g.n::text, 4, '0'),
    g.closed, CASE WHEN g.closed THEN '装修，暂停开放' ELSE '' END,
    'bench' || g.n, '', '', '', NULL, g.created_at, g.created_at
FROM (
    SELECT n,
        least(%(communities)s - 1,
            floor(%(communities)s * power(pg_temp.bench_u(n, 51), 1.25)))::int AS community,
        CASE WHEN pg_temp.bench_r(n, 52, 100) < 8 THEN 'party_centre'
            WHEN pg_temp.bench_r(n, 52, 100) < 38 THEN 'warm_station'
            WHEN pg_temp.bench_r(n, 52, 100) < 53 THEN 'outdoor_workers'
            WHEN pg_temp.bench_r(n, 52, 100) < 68 THEN 'love_corner'
            WHEN pg_temp.bench_r(n, 52, 100) < 78 THEN 'union'
            WHEN pg_temp.bench_r(n, 52, 100) < 95 THEN 'merchant'
            ELSE 'friendly_scene' END AS kind,
        pg_temp.bench_r(n, 53, 100) < 20 AS open_24h,
        pg_temp.bench_r(n, 54, 100) < 2 AS closed,
        -- all there before the year of visits began
        now() - interval '1 day' * (400 + pg_temp.bench_r(n, 59, 330)) AS created_at
    FROM generate_series(1, %(stations)s) AS n
    OFFSET 0
) g
JOIN bench_community c ON c.idx = g.community
JOIN bench_city city ON city.idx = c.city_idx
CROSS JOIN (SELECT %(roads)s::text[] AS roads) a
ORDER BY g.n
"""

# Each station has the first 0 … all of the active standard items, most of them many.
STATION_STANDARD_SQL = """
INSERT INTO stations_stationstandard (station_id, item_id, checked_at, checked_by_id)
SELECT s.id, i.id, s.created_at + interval '7 days', NULL
FROM stations_station s
CROSS JOIN (SELECT count(*) AS total FROM stations_standarditem WHERE active) items
JOIN (
    SELECT id, row_number() OVER (ORDER BY position, id) AS rank
    FROM stations_standarditem WHERE active
) i ON i.rank <= floor((items.total + 1) * sqrt(pg_temp.bench_u(s.id, 63)))
WHERE starts_with(s.token, 'bench')
ORDER BY s.id, i.rank
"""

# The stations of each district, for visits and suggestions near a rider's home.
DISTRICT_STATIONS = """
CREATE TEMP TABLE bench_district_stations ON COMMIT DROP AS
SELECT c.district_id, array_agg(s.id ORDER BY s.id) AS ids, count(*)::int AS total
FROM stations_station s JOIN bench_community c ON c.id = s.area_id
GROUP BY c.district_id
"""

# Visits over the last year, more of them lately, between 7:00 and 22:00 local time, each by a
# worker registered by then at a station of their district (its first stations busier).
STATION_VISITS_SQL = """
INSERT INTO stations_stationvisit (station_id, area_id, worker_id, day, created_at)
SELECT st.id, st.area_id, w.id, (g.created_at AT TIME ZONE %(tz)s)::date, g.created_at
FROM (
    SELECT t.n, t.su, t.created_at,
        %(first_worker)s + floor(pg_temp.bench_u(t.n, 71) * (%(workers)s * pg_temp.bench_before(
            1 - extract(epoch FROM now() - t.created_at) / (730 * 86400)) - 1))::bigint
            AS worker_id
    FROM (
        SELECT l.n, l.su, CASE WHEN l.local_at > now()
            THEN now() - interval '1 second' * pg_temp.bench_r(l.n, 74, 3600)
            ELSE l.local_at END AS created_at
        FROM (
            SELECT n, pg_temp.bench_u(n, 73) AS su,
                ((((now() - interval '365 days' * (1 - s)) AT TIME ZONE %(tz)s)::date
                    + time '07:00' + interval '1 second' * pg_temp.bench_r(n, 72, 54000))
                    AT TIME ZONE %(tz)s) AS local_at
            FROM (
                SELECT n, pg_temp.bench_grow((n - 0.5::float8) / %(station_visits)s) AS s
                FROM generate_series(1, %(station_visits)s) AS n
                OFFSET 0
            ) f
            OFFSET 0
        ) l
        OFFSET 0
    ) t
    OFFSET 0
) g
JOIN registry_worker w ON w.id = g.worker_id
JOIN bench_community c ON c.id = w.area_id
JOIN bench_district_stations ds ON ds.district_id = c.district_id
JOIN stations_station st
    ON st.id = ds.ids[1 + least(ds.total - 1, floor(ds.total * g.su * g.su))::int]
ORDER BY g.n
"""

# Suggestions over the last year, more of them lately. Each is assessed half an hour to 120
# days after it came in (log-uniform), then rejected, marked a duplicate of one a little earlier,
# or accepted; an accepted one is resolved 3 hours to 40 days later (a long-running one 90 to
# 900 days), then rated, which closes it, or closed unrated after the auto-close days. Its state
# is where now falls on that path. Half come from registered workers (their community); a QR
# code's comes from a station of that community's district, and is about the station's area.
SUGGESTIONS_SQL = """
INSERT INTO feedback_suggestion (id, tracking_code, public_id, category, text, state, area_id,
    station_id, channel, latitude, longitude, address, name, mobile, worker_id, original_id,
    reply, replied_at, rating, rating_comment, rated_at, created_by_id, submitted_at, queued_at,
    assessed_at, resolved_at, closed_at, updated_at, version, assessment_reminded_on,
    public_summary)
SELECT
    %(first_suggestion)s + x.n - 1, 'T' || x.n, 'P' || x.n,
    (ARRAY['suggestion', 'need', 'hazard', 'complaint', 'help'])[1 + x.cat],
    (ARRAY[
        ['建议在驿站增设电动车充电桩', '希望延长驿站开放时间', '建议设置骑手临时停车区',
            '建议增加饮水点和休息座椅'],
        ['需要就近的午休场所', '希望提供职业技能培训', '需要法律咨询帮助', '希望解决子女入学问题'],
        ['路口井盖缺失，夜间骑行危险', '小区门口道路积水严重', '路灯损坏，夜间看不清路',
            '施工围挡占用非机动车道'],
        ['小区禁止外卖员进入', '商家出餐慢导致超时', '平台罚款规则不合理', '停车被反复罚款'],
        ['电动车被盗，请求协助', '工伤后无法获得赔偿', '被拖欠工资', '送餐途中受伤需要帮助']
    ])[1 + x.cat][1 + pg_temp.bench_r(x.n, 85, 4)],
    x.state, coalesce(st.area_id, c.id), st.id, x.channel,
    CASE WHEN x.cat = 2 THEN coalesce(st.latitude,
        round((city.latitude + (pg_temp.bench_u(x.n, 86) - 0.5) * 0.2)::numeric, 6)) END,
    CASE WHEN x.cat = 2 THEN coalesce(st.longitude,
        round((city.longitude + (pg_temp.bench_u(x.n, 87) - 0.5) * 0.25)::numeric, 6)) END,
    CASE WHEN st.id IS NOT NULL THEN st.address
        WHEN x.cat = 2 THEN city.name || c.district_name || c.name || '附近'
        ELSE '' END,
    coalesce(w.name, ''), coalesce(w.mobile, ''), w.id,
    CASE WHEN x.state = 'duplicate' THEN %(first_suggestion)s + x.original_n - 1 END,
    CASE WHEN x.state = 'rejected' THEN '经核实，该问题不属于受理范围，已告知相关渠道。'
        WHEN x.state IN ('resolved', 'closed') THEN '已协调相关部门处理，感谢您的反映。'
        ELSE '' END,
    CASE WHEN x.state = 'rejected' THEN x.assessed_at
        WHEN x.state IN ('resolved', 'closed') THEN x.resolved_at END,
    CASE WHEN x.state = 'closed' AND x.rated THEN CASE WHEN x.rr < 50 THEN 5 WHEN x.rr < 75 THEN 4
        WHEN x.rr < 87 THEN 3 WHEN x.rr < 94 THEN 2 ELSE 1 END END,
    '', CASE WHEN x.state = 'closed' AND x.rated THEN x.closed_at END,
    NULL, x.submitted_at, x.submitted_at, x.assessed_at, x.resolved_at, x.closed_at,
    coalesce(x.closed_at, x.resolved_at, x.assessed_at, x.submitted_at),
    CASE x.state WHEN 'submitted' THEN 0 WHEN 'accepted' THEN 2 WHEN 'resolved' THEN 4
        WHEN 'closed' THEN 5 ELSE 1 END,
    NULL, ''
FROM (
    SELECT p.*,
        CASE WHEN p.assessed_at IS NULL THEN 'submitted'
            WHEN p.outcome < %(rejected)s THEN 'rejected'
            WHEN p.outcome < %(rejected)s + %(duplicate)s THEN 'duplicate'
            WHEN p.resolved_at IS NULL THEN 'accepted'
            WHEN p.closed_at IS NULL THEN 'resolved'
            ELSE 'closed' END AS state
    FROM (
        SELECT r.*,
            CASE WHEN r.accepting AND r.assessed_at IS NOT NULL AND r.resolving_at <= now()
                THEN r.resolving_at END AS resolved_at,
            CASE WHEN r.outcome < %(rejected)s THEN r.assessed_at
                WHEN r.accepting AND r.assessed_at IS NOT NULL
                    AND r.resolving_at + r.closing <= now()
                THEN r.resolving_at + r.closing END AS closed_at
        FROM (
            SELECT q.*,
                q.outcome >= %(rejected)s + %(duplicate)s AS accepting,
                CASE WHEN q.assessing_at <= now() THEN q.assessing_at END AS assessed_at,
                q.assessing_at + CASE WHEN q.long_running
                    THEN interval '1 day' * (90 + 810 * pg_temp.bench_u(q.n, 78))
                    ELSE interval '1 hour' * exp(ln(3) + ln(320) * pg_temp.bench_u(q.n, 78))
                    END AS resolving_at,
                CASE WHEN q.rated
                    THEN interval '1 hour' * exp(ln(6 * 24) * pg_temp.bench_u(q.n, 80))
                    ELSE interval '1 day' * %(auto_close_days)s END AS closing
            FROM (
                SELECT o.*, o.submitted_at + interval '1 hour'
                    * exp(ln(0.5) + ln(5760) * pg_temp.bench_u(o.n, 76)) AS assessing_at
                FROM (
                    SELECT n, now() - interval '365 days' * (1 - s) AS submitted_at,
                        -- the first one cannot be anyone's duplicate
                        CASE WHEN n = 1 THEN 99 ELSE pg_temp.bench_r(n, 75, 100) END AS outcome,
                        greatest(1, n - 1 - pg_temp.bench_r(n, 82, 5000)) AS original_n,
                        pg_temp.bench_r(n, 77, 100) < %(long_running)s AS long_running,
                        pg_temp.bench_r(n, 79, 100) < %(rated)s AS rated,
                        pg_temp.bench_r(n, 81, 100) AS rr,
                        CASE WHEN pg_temp.bench_r(n, 71, 100) < 30 THEN 0
                            WHEN pg_temp.bench_r(n, 71, 100) < 55 THEN 1
                            WHEN pg_temp.bench_r(n, 71, 100) < 75 THEN 2
                            WHEN pg_temp.bench_r(n, 71, 100) < 90 THEN 3
                            ELSE 4 END AS cat,
                        CASE WHEN pg_temp.bench_r(n, 72, 100) < 45 THEN 'qr_code'
                            WHEN pg_temp.bench_r(n, 72, 100) < 70 THEN 'online'
                            WHEN pg_temp.bench_r(n, 72, 100) < 78 THEN 'meeting'
                            WHEN pg_temp.bench_r(n, 72, 100) < 88 THEN 'phone'
                            WHEN pg_temp.bench_r(n, 72, 100) < 95 THEN 'visit'
                            ELSE 'open311' END AS channel,
                        CASE WHEN pg_temp.bench_r(n, 73, 100) < 50
                            THEN %(first_worker)s + floor(pg_temp.bench_u(n, 74)
                                * (%(workers)s * pg_temp.bench_before(0.5 + 0.5 * s) - 1))::bigint
                            END AS worker_id,
                        least(%(communities)s - 1,
                            floor(%(communities)s * power(pg_temp.bench_u(n, 83), 1.25)))::int
                            AS community,
                        pg_temp.bench_u(n, 84) AS su
                    FROM (
                        SELECT n, pg_temp.bench_grow((n - 0.5::float8) / %(suggestions)s) AS s
                        FROM generate_series(1, %(suggestions)s) AS n
                        OFFSET 0
                    ) s
                    OFFSET 0
                ) o
                OFFSET 0
            ) q
            OFFSET 0
        ) r
        OFFSET 0
    ) p
    OFFSET 0
) x
LEFT JOIN registry_worker w ON w.id = x.worker_id
JOIN bench_community anywhere ON anywhere.idx = x.community
JOIN bench_community c ON c.id = coalesce(w.area_id, anywhere.id)
JOIN bench_city city ON city.idx = c.city_idx
LEFT JOIN bench_district_stations ds ON x.channel = 'qr_code' AND ds.district_id = c.district_id
LEFT JOIN stations_station st
    ON st.id = ds.ids[1 + least(ds.total - 1, floor(ds.total * x.su * x.su))::int]
ORDER BY x.n
"""

# A duplicate follows the root of its original's chain (seldom a change: the original is
# rarely a duplicate itself) and is the same matter reported again the same way: same area,
# category, text and channel (so a QR code's at the same station), from its own submitter.
DUPLICATE_ROOTS = """
UPDATE feedback_suggestion d SET original_id = o.original_id
FROM feedback_suggestion o
WHERE d.original_id = o.id AND o.original_id IS NOT NULL AND d.state = 'duplicate'
"""
DUPLICATE_SUBJECTS = """
UPDATE feedback_suggestion d
SET area_id = o.area_id, station_id = o.station_id, channel = o.channel,
    category = o.category, text = o.text, address = o.address, latitude = o.latitude,
    longitude = o.longitude
FROM feedback_suggestion o
WHERE d.original_id = o.id AND d.state = 'duplicate'
"""

# Tasks: one (sometimes two) for every accepted and resolved suggestion and for some closed
# ones, for a department of the suggestion's district or city; due 7 to 15 days after the
# assessment (a long-running matter 15 to 180), done before the suggestion was resolved.
TASKS_SQL = """
WITH departments AS MATERIALIZED (
    SELECT area_id, array_agg(id ORDER BY id) AS ids, count(*)::int AS total
    FROM feedback_department GROUP BY area_id
)
INSERT INTO feedback_task (suggestion_id, department_id, instructions, due_on, due_at, state,
    result, done_at, done_by_id, created_by_id, created_at, version, reminded_on, return_reason)
SELECT t.id, dep.ids[1 + pg_temp.bench_r(t.id, 101, dep.total)::int],
    '请核实情况并协调处理，按期反馈结果。',
    t.due_on,
    -- due at the end of its day, local time (feedback.calendar.end_of_day)
    (t.due_on + time '23:59:59') AT TIME ZONE %(tz)s,
    CASE WHEN t.state = 'accepted' THEN 'open' ELSE 'done' END,
    CASE WHEN t.state = 'accepted' THEN '' ELSE '已现场核实并协调解决。' END,
    CASE WHEN t.state <> 'accepted' THEN t.assessed_at + (t.resolved_at - t.assessed_at)
        * (0.5 + 0.45 * pg_temp.bench_u(t.id * 2 + t.k, 103)) END,
    NULL, NULL, t.assessed_at + interval '10 minutes' * t.k,
    CASE WHEN t.state = 'accepted' THEN 0 ELSE 1 END, NULL, ''
FROM (
    SELECT s.id, s.state, s.assessed_at, s.resolved_at, k.k,
        (s.assessed_at AT TIME ZONE %(tz)s)::date + CASE
            WHEN pg_temp.bench_r(s.id - %(first_suggestion)s + 1, 77, 100) < %(long_running)s
            THEN 15 + pg_temp.bench_r(s.id * 2 + k.k, 102, 166)::int
            ELSE 7 + pg_temp.bench_r(s.id * 2 + k.k, 102, 9)::int END AS due_on,
        -- the first task goes to the district (60 %%), the second to the other level
        CASE WHEN (pg_temp.bench_r(s.id, 104, 100) < 60) = (k.k = 1)
            THEN split_part(a.path, '/', 4) ELSE split_part(a.path, '/', 3) END::bigint
            AS department_area
    FROM feedback_suggestion s
    JOIN portal_area a ON a.id = s.area_id
    CROSS JOIN generate_series(1, 2) AS k(k)
    WHERE s.state IN ('accepted', 'resolved', 'closed')
        AND (s.state <> 'closed' OR pg_temp.bench_r(s.id, 105, 100) < %(closed_with_tasks)s)
        AND (k.k = 1 OR pg_temp.bench_r(s.id, 106, 100) < %(second_task)s)
    OFFSET 0
) t
JOIN departments dep ON dep.area_id = t.department_area
ORDER BY t.assessed_at, t.id, t.k
"""

# The ledger over the last year, in time order: the oldest workers (all registered a year ago)
# take part, each once in each of 12 blocks of about a month. Blocks come in groups of six: the
# first five earn (the first of the second group is a refund if the first group's redemption
# was refunded), the sixth redeems for at most what the second to fifth earned, or earns.
ENTRIES_SQL = """
INSERT INTO points_entry (worker_id, area_id, amount, kind, cause, note, recorded_by_id,
    created_at)
SELECT %(first_worker)s + e.i,
    (SELECT area_id FROM registry_worker WHERE id = %(first_worker)s + e.i),
    CASE WHEN e.spends THEN -pg_temp.bench_price(e.i, e.g)
        WHEN e.refund THEN pg_temp.bench_price(e.i, e.g - 1)
        ELSE pg_temp.bench_earn(e.i * 16 + e.block) END,
    CASE WHEN e.spends THEN 'redemption' WHEN e.refund THEN 'refund'
        ELSE pg_temp.bench_earn_kind(e.i * 16 + e.block) END,
    '', '', NULL, now() - interval '365 days' * (1 - (e.n - 0.5::float8) / %(entries)s)
FROM (
    SELECT b.*,
        b.q = 5 AND pg_temp.bench_spends(b.i, b.g, %(redeeming)s) AS spends,
        b.q = 0 AND b.g > 0 AND pg_temp.bench_spends(b.i, b.g - 1, %(redeeming)s)
            AND pg_temp.bench_r(b.i * 4 + b.g - 1, 97, 100) < %(refunded)s AS refund
    FROM (
        SELECT n, block, block / 6 AS g, mod(block, 6) AS q,
            mod(mod(n - 1, %(participants)s) * 104729 + block * 7777, %(participants)s) AS i
        FROM (
            SELECT n, (n - 1) / %(participants)s AS block
            FROM generate_series(1::bigint, %(entries)s) AS n
            OFFSET 0
        ) a
        OFFSET 0
    ) b
    OFFSET 0
) e
"""

ACCOUNTS_SQL = """
INSERT INTO points_account (worker_id, balance)
SELECT worker_id, sum(amount) FROM points_entry GROUP BY worker_id ORDER BY worker_id
"""

# Teams at streets spread over the province, one per street.
TEAMS_SQL = """
INSERT INTO points_volunteerteam (name, area_id, description, created_by_id, created_at)
SELECT replace(s.name, '街道', '') || (%(team_names)s::text[])[1 + mod(g.n, %(team_name_count)s)],
    s.id, '由辖区快递员、外卖骑手、网约车司机组成的志愿服务队。', NULL,
    now() - interval '1 day' * (400 + pg_temp.bench_r(g.n, 111, 300))
FROM generate_series(1, %(teams)s) AS g(n)
JOIN (
    SELECT id, name, (row_number() OVER (ORDER BY code) - 1)::int AS idx
    FROM portal_area WHERE level = 'street' AND starts_with(path, %(province_path)s)
) s ON s.idx = (g.n - 1) * %(streets)s / %(teams)s
ORDER BY g.n
"""

# Activities from a year ago to two weeks ahead: most by a team at its street, the others at a
# community; some at a station of the district.
ACTIVITIES_SQL = """
WITH teams AS MATERIALIZED (
    SELECT id, area_id, (row_number() OVER (ORDER BY id) - 1)::int AS idx
    FROM points_volunteerteam
)
INSERT INTO points_activity (title, kind, description, area_id, place, station_id, team_id,
    starts_at, ends_at, sign_up_deadline, capacity, points, signed_up, cancelled, created_by_id,
    created_at)
SELECT
    CASE g.kind
        WHEN 'volunteer' THEN (ARRAY['夏送清凉志愿服务', '文明交通劝导', '社区环境整治'])
            [1 + pg_temp.bench_r(g.n, 121, 3)]
        WHEN 'grid_duty' THEN '网格安全巡查'
        WHEN 'training' THEN (ARRAY['电动车安全驾驶培训', '急救知识培训', '职业技能提升培训'])
            [1 + pg_temp.bench_r(g.n, 121, 3)]
        WHEN 'care_event' THEN (ARRAY['冬送温暖慰问活动', '小哥暖心餐'])
            [1 + pg_temp.bench_r(g.n, 121, 2)]
        ELSE '免费健康体检' END,
    g.kind, '', a.id, coalesce(st.name, a.name || '党群服务中心'), st.id, tm.id,
    g.starts_at, g.starts_at + interval '1 hour' * (2 + pg_temp.bench_r(g.n, 122, 3)),
    g.starts_at - interval '1 day', g.capacity, 5 * (1 + pg_temp.bench_r(g.n, 123, 6))::int, 0,
    g.cancelled, NULL,
    least(now(), g.starts_at - interval '1 day' * (7 + pg_temp.bench_r(g.n, 124, 8)))
FROM (
    SELECT n,
        CASE WHEN pg_temp.bench_r(n, 125, 100) < 35 THEN 'volunteer'
            WHEN pg_temp.bench_r(n, 125, 100) < 55 THEN 'grid_duty'
            WHEN pg_temp.bench_r(n, 125, 100) < 75 THEN 'training'
            WHEN pg_temp.bench_r(n, 125, 100) < 90 THEN 'care_event'
            ELSE 'health_check' END AS kind,
        pg_temp.bench_r(n, 126, 100) < 70 AS by_team,
        least(%(communities)s - 1,
            floor(%(communities)s * power(pg_temp.bench_u(n, 127), 1.25)))::int AS community,
        ((now() AT TIME ZONE %(tz)s)::date - 365 + floor((n - 0.5) * 379 / %(activities)s)::int
            + CASE WHEN mod(n, 2) = 0 THEN time '09:00' ELSE time '14:30' END)
            AT TIME ZONE %(tz)s AS starts_at,
        (20 + pg_temp.bench_r(n, 128, 51))::int AS capacity,
        pg_temp.bench_r(n, 129, 100) < 3 AS cancelled,
        pg_temp.bench_r(n, 130, 100) < 40 AS at_station,
        pg_temp.bench_u(n, 131) AS su
    FROM generate_series(1, %(activities)s) AS n
    OFFSET 0
) g
JOIN bench_community c ON c.idx = g.community
LEFT JOIN teams tm ON g.by_team AND tm.idx = mod(g.n - 1, %(teams)s)
JOIN portal_area a ON a.id = coalesce(tm.area_id, c.id)
LEFT JOIN bench_district_stations ds
    ON g.at_station AND ds.district_id = split_part(a.path, '/', 4)::bigint
LEFT JOIN stations_station st
    ON st.id = ds.ids[1 + least(ds.total - 1, floor(ds.total * g.su))::int]
ORDER BY g.n
"""

# Sign-ups: 40 to 100 %% of the places, by confirmed workers of the activity's area registered
# before it; a few cancelled; of the others, most attended (when the activity is over and went
# ahead). Then each activity's `signed_up` counts its active sign-ups.
SIGN_UPS_SQL = """
INSERT INTO points_signup (activity_id, worker_id, signed_up_at, reminded_on, attended_at,
    marked_by_id, cancelled_at)
SELECT s.activity_id, s.worker_id, s.signed_up_at,
    CASE WHEN NOT s.cancelled AND s.starts_at - interval '1 day' < now()
        THEN ((s.starts_at - interval '1 day') AT TIME ZONE %(tz)s)::date END,
    CASE WHEN NOT s.cancelled AND NOT s.activity_cancelled AND s.ends_at < now()
        AND pg_temp.bench_r(s.activity_id * 1000003 + s.worker_id, 141, 100) < 74
        THEN s.ends_at END,
    NULL,
    CASE WHEN s.cancelled THEN s.signed_up_at + (least(s.deadline, now()) - s.signed_up_at) / 2 END
FROM (
    SELECT a.id AS activity_id, w.id AS worker_id, a.starts_at, a.ends_at,
        a.sign_up_deadline AS deadline, a.cancelled AS activity_cancelled,
        a.created_at + (least(a.sign_up_deadline, now()) - a.created_at)
            * pg_temp.bench_u(a.id * 1000003 + w.id, 142) AS signed_up_at,
        pg_temp.bench_r(a.id * 1000003 + w.id, 143, 100) < 5 AS cancelled
    FROM points_activity a
    JOIN portal_area area ON area.id = a.area_id
    CROSS JOIN LATERAL (
        SELECT w.id FROM registry_worker w
        WHERE w.area_id IN (SELECT c.id FROM bench_community c WHERE starts_with(c.path, area.path))
            AND w.status = 'confirmed' AND w.created_at < a.created_at
        ORDER BY hashint8extended(w.id, a.id)
        LIMIT floor(a.capacity * (0.4 + 0.6 * pg_temp.bench_u(a.id, 144)))
        OFFSET 0
    ) w
    OFFSET 0
) s
ORDER BY s.signed_up_at
"""
SIGNED_UP = """
UPDATE points_activity a SET signed_up = s.active
FROM (
    SELECT activity_id, count(*) AS active FROM points_signup
    WHERE cancelled_at IS NULL GROUP BY activity_id
    OFFSET 0
) s
WHERE a.id = s.activity_id
"""

TABLES = [
    "portal_area",
    "portal_user",
    "registry_worker",
    "registry_checkin",
    "registry_enterprise",
    "registry_carevisit",
    "stations_station",
    "stations_stationstandard",
    "stations_stationvisit",
    "feedback_department",
    "feedback_suggestion",
    "feedback_task",
    *loop.TABLES,
    "points_entry",
    "points_account",
    "points_volunteerteam",
    "points_activity",
    "points_signup",
]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a scratch PostgreSQL database: the benchmark fills it.")
    call_command("migrate", interactive=False, verbosity=0)
    seconds = fill(connection)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum would have done by now on a live database: planner statistics and
        # the visibility map that index-only scans need.
        cursor.execute("VACUUM ANALYZE")
    vacuum_seconds = time.perf_counter() - started
    print(report(connection, seconds, vacuum_seconds))


def report(connection, seconds: dict[str, float], vacuum_seconds: float) -> str:
    """A Markdown table: each table's rows and the seconds its step took to fill it."""
    lines = ["| table | rows | filled in (s) |", "|---|---:|---:|"]
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (our own table names)
            took = f"{seconds[table]:.1f}" if table in seconds else "–"
            lines.append(f"| {table} | {cursor.fetchone()[0]:,} | {took} |")
    if seconds:
        lines.append(f"| commit | | {seconds['commit']:.1f} |")
        lines.append(f"| **the fill in all** | | **{sum(seconds.values()):.1f}** |")
    else:
        lines.append("| (the province was there: nothing added) | | |")
    lines.append(f"| VACUUM ANALYZE | | {vacuum_seconds:.1f} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Filling


def fill(connection) -> dict[str, float]:
    """Fill the database in one transaction, unless the province is there already. Returns the
    seconds each step took, by the table it fills (and "commit"); {} if it was there."""
    from django.db import transaction

    from portal.models import Area

    if Area.objects.filter(code=PROVINCE[0]).exists():
        return {}
    seconds = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Foreign keys checked after each statement rather than all at the commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for statement in HELPERS:
                cursor.execute(statement)
            params, state = _params(), {}
            for table, step in STEPS:
                started = time.perf_counter()
                step(cursor, params, state)
                seconds[table] = time.perf_counter() - started
        started = time.perf_counter()
    seconds["commit"] = time.perf_counter() - started
    return seconds


def _params() -> dict:
    """What the statements need besides the sizes: shares, names and their romanisation."""
    from django.conf import settings

    from portal import crypto
    from registry.services import CONSENT_VERSION

    stems = [name.removesuffix("街道") for name in STREET_NAMES[:STREETS_PER_DISTRICT]]
    communities = CITIES * DISTRICTS_PER_CITY * STREETS_PER_DISTRICT * COMMUNITIES_PER_STREET
    participants = -(-ENTRIES // 12)  # each in 12 blocks
    assert math.gcd(participants, 104729) == 1  # so a block's order is a permutation
    params = {
        "tz": settings.TIME_ZONE,
        "auto_close_days": settings.FEEDBACK_AUTO_CLOSE_DAYS,
        "consent_version": CONSENT_VERSION,
        # Encrypted as the portal stores them; one token for all, which costs the same to read.
        "party_branch": crypto.encrypt("新就业群体联合党支部"),
        "membership_held_at": crypto.encrypt("户籍地村党支部"),
        "communities": communities,
        "streets": communities // COMMUNITIES_PER_STREET,
        "streets_per_district": STREETS_PER_DISTRICT,
        "workers": WORKERS,
        "check_ins": CHECK_INS,
        "branches": ENTERPRISES - CITIES * len(PLATFORM_NAMES),
        "platform_count": len(PLATFORM_NAMES),
        "care_visits": CARE_VISITS,
        "stations": STATIONS,
        "station_visits": STATION_VISITS,
        "suggestions": SUGGESTIONS,
        "entries": ENTRIES,
        "participants": participants,
        "teams": VOLUNTEER_TEAMS,
        "team_names": TEAM_NAMES,
        "team_name_count": len(TEAM_NAMES),
        "activities": ACTIVITIES,
        "pending_of_newest": PENDING_OF_NEWEST,
        "left": LEFT,
        "party_members": PARTY_MEMBERS,
        "probationary": PROBATIONARY,
        "league": LEAGUE,
        "mobile_party_members": MOBILE_PARTY_MEMBERS,
        "rejected": REJECTED,
        "duplicate": DUPLICATE,
        "long_running": LONG_RUNNING,
        "rated": RATED,
        "second_task": SECOND_TASK,
        "closed_with_tasks": CLOSED_WITH_TASKS,
        "redeeming": REDEEMING,
        "refunded": REFUNDED,
        "surnames": list(SURNAMES),
        "surname_count": len(SURNAMES),
        "given": list(GIVEN),
        "given_count": len(GIVEN),
        "stems": stems,
        "roads": [stem if stem.endswith("路") else f"{stem}路" for stem in stems],
    }
    for key, texts in [("surnames", SURNAMES), ("given", GIVEN), ("stems", stems)]:
        params[f"{key}_pinyin"], params[f"{key}_initials"] = _romanised(texts)
    return params


def _romanised(texts) -> tuple[list[str], list[str]]:
    from registry.models import romanise

    pairs = [romanise(text) for text in texts]
    return [pinyin for pinyin, _ in pairs], [initials for _, initials in pairs]


def _one(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _areas(cursor, params, state):
    """The tree, level by level with bulk_create, then the paths with an UPDATE a level; then
    the lookup tables of communities, cities and platforms."""
    from portal.models import Area, AreaLevel

    assert len(CITY_LIST) >= CITIES and len(DISTRICT_NAMES) >= DISTRICTS_PER_CITY
    assert len(STREET_NAMES) >= STREETS_PER_DISTRICT
    assert len(COMMUNITY_NAMES) >= COMMUNITIES_PER_STREET
    (province,) = Area.objects.bulk_create(
        [Area(level=AreaLevel.PROVINCE, code=PROVINCE[0], name=PROVINCE[1], path="")]
    )
    cities = Area.objects.bulk_create(
        Area(level=AreaLevel.CITY, code=code, name=name, parent=province, path="")
        for code, name, _, _ in CITY_LIST[:CITIES]
    )
    districts = Area.objects.bulk_create(
        Area(
            level=AreaLevel.DISTRICT,
            code=f"{city.code[:4]}{number + 2:02d}",
            name=DISTRICT_NAMES[number],
            parent=city,
            path="",
        )
        for city in cities
        for number in range(DISTRICTS_PER_CITY)
    )
    streets = Area.objects.bulk_create(
        Area(
            level=AreaLevel.STREET,
            code=f"{district.code}{number + 1:03d}",
            name=STREET_NAMES[number],
            parent=district,
            path="",
        )
        for district in districts
        for number in range(STREETS_PER_DISTRICT)
    )
    communities = Area.objects.bulk_create(
        Area(
            level=AreaLevel.COMMUNITY,
            code=f"{street.code}{number + 1:03d}",
            name=street.name.removesuffix("街道") + COMMUNITY_NAMES[number],
            parent=street,
            path="",
        )
        for street in streets
        for number in range(COMMUNITIES_PER_STREET)
    )
    params["province"] = province.id
    params["province_path"] = f"/{province.id}/"
    cursor.execute(PROVINCE_PATH, params)
    for level in [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY]:
        cursor.execute(CHILD_PATHS, {"level": level.value})
    state["first"] = {
        "province": province,
        "city": cities[0],
        "district": districts[0],
        "community": communities[0],
    }

    for statement in LOOKUPS:
        cursor.execute(statement, params)
    per_city = len(communities) // CITIES
    pinyin, initials = _romanised([name.removesuffix("市") for _, name, _, _ in CITY_LIST])
    rows = [
        (idx, city.id, city.name, city.name.removesuffix("市"), pinyin[idx], initials[idx])
        + (latitude, longitude, communities[idx * per_city].id)
        for idx, (city, (_, _, latitude, longitude)) in enumerate(
            zip(cities, CITY_LIST, strict=False)
        )
    ]
    cursor.execute(
        """INSERT INTO bench_city SELECT * FROM unnest(%s::int[], %s::bigint[], %s::text[],
        %s::text[], %s::text[], %s::text[], %s::float8[], %s::float8[], %s::bigint[])""",
        [list(column) for column in zip(*rows, strict=True)],
    )
    pinyin, initials = _romanised([name for _, name in PLATFORM_NAMES])
    rows = [
        (idx, code, name, pinyin[idx], initials[idx])
        for idx, (code, name) in enumerate(PLATFORM_NAMES)
    ]
    cursor.execute(
        """INSERT INTO bench_platform SELECT * FROM unnest(%s::int[], %s::text[], %s::text[],
        %s::text[], %s::text[])""",
        [list(column) for column in zip(*rows, strict=True)],
    )
    for table in ["bench_city", "bench_platform", "bench_community"]:
        cursor.execute(f"ANALYZE {table}")


def _staff(cursor, params, state):
    from django.contrib.auth.hashers import make_password

    from portal.models import User

    password = make_password(STAFF_PASSWORD)
    User.objects.bulk_create(
        User(username=username, name=name, role=role, area=state["first"][level], password=password)
        for username, name, role, level in STAFF
    )


def _workers(cursor, params, state):
    cursor.execute(WORKERS_SQL, params)
    cursor.execute("SELECT min(id), max(id), count(*) FROM registry_worker")
    first, last, count = cursor.fetchone()
    # Later steps pick workers by number: first + 0 … first + WORKERS - 1.
    assert count == WORKERS and last - first + 1 == WORKERS, "worker ids are not contiguous"
    params["first_worker"] = first


def _enterprises(cursor, params, state):
    """A company per platform and city (ORM), then the branches under them (SQL)."""
    from registry.models import Enterprise, EnterpriseKind, PartyOrganisation, romanise

    cursor.execute("SELECT idx, first_community, short, name FROM bench_city ORDER BY idx")
    companies = []
    for idx, community, short, city_name in cursor.fetchall():
        for number, (code, name) in enumerate(PLATFORM_NAMES):
            company = Enterprise(
                name=f"{name}{short}分公司",
                kind=EnterpriseKind.PLATFORM,
                platform=code,
                area_id=community,
                address=f"{city_name}中原路{100 + number * 8 + idx}号",
                workforce=200 + (idx * 37 + number * 101) % 2800,
                party_organisation=(
                    PartyOrganisation.OWN_BRANCH if number % 3 else PartyOrganisation.JOINT_BRANCH
                ),
                party_instructor="赵建国",
                contact_name="孙立伟",
                contact_phone=f"0371-{65000000 + idx * 100 + number}",
            )
            company.name_pinyin, company.name_initials = romanise(company.name)
            companies.append(company)
    Enterprise.objects.bulk_create(companies)
    cursor.execute(ENTERPRISES_SQL, params)


def _departments(cursor, params, state):
    """City departments (tops of their tree), then district ones under the city's namesake."""
    from feedback.models import Department
    from portal.models import Area, AreaLevel

    def areas(level):
        return Area.objects.filter(level=level, path__startswith=params["province_path"])

    cities = areas(AreaLevel.CITY).order_by("code")
    tops = [
        Department(name=f"{city.name}{kind}", area=city)
        for kind in CITY_DEPARTMENTS
        for city in cities
    ]
    tops = Department.objects.bulk_create(tops[:DEPARTMENTS])
    by_city_kind = {(d.area_id, d.name.removeprefix(d.area.name)): d for d in tops}
    below = [
        Department(
            name=f"{district.name}{kind}",
            area=district,
            parent=by_city_kind.get((district.parent_id, kind)),
        )
        for kind in DISTRICT_DEPARTMENTS
        for district in areas(AreaLevel.DISTRICT).order_by("code")
    ]
    Department.objects.bulk_create(below[: DEPARTMENTS - len(tops)])


def _suggestions(cursor, params, state):
    """With explicit ids (a duplicate names its original's in the same INSERT), the sequence
    moved past them; then duplicates made to follow their chain's root, on its matter."""
    sequence = "pg_get_serial_sequence('feedback_suggestion', 'id')"
    first = _one(cursor, f"SELECT nextval({sequence})")
    params["first_suggestion"] = first
    cursor.execute(SUGGESTIONS_SQL, params)
    cursor.execute(f"SELECT setval({sequence}, %s)", [first + SUGGESTIONS - 1])
    cursor.execute(DUPLICATE_ROOTS)
    while cursor.rowcount:
        cursor.execute(DUPLICATE_ROOTS)
    cursor.execute(DUPLICATE_SUBJECTS)


def _sql(*statements):
    def step(cursor, params, state):
        for statement in statements:
            cursor.execute(statement, params)

    return step


STEPS = [
    ("portal_area", _areas),
    ("portal_user", _staff),
    ("registry_worker", _workers),
    ("registry_checkin", _sql(CHECK_INS_SQL)),
    ("registry_enterprise", _enterprises),
    ("registry_carevisit", _sql(CARE_VISITS_SQL)),
    ("stations_station", _sql(STATIONS_SQL, DISTRICT_STATIONS)),
    ("stations_stationstandard", _sql(STATION_STANDARD_SQL)),
    ("stations_stationvisit", _sql(STATION_VISITS_SQL)),
    ("feedback_department", _departments),
    ("feedback_suggestion", _suggestions),
    ("feedback_task", _sql(TASKS_SQL)),
    *loop.STEPS,  # the desk's 签收, 退单, 延期, 督办; reopened, called back (bench/loop.py)
    ("points_entry", _sql(ENTRIES_SQL)),
    ("points_account", _sql(ACCOUNTS_SQL)),
    ("points_volunteerteam", _sql(TEAMS_SQL)),
    ("points_activity", _sql(ACTIVITIES_SQL)),
    ("points_signup", _sql(SIGN_UPS_SQL, SIGNED_UP)),
]


if __name__ == "__main__":
    main()
