"""Staff accounts over time and the security log (issue 18, points 3, 4 and 7): disabling with a
reason and never deleting, the daily upkeep of unused accounts and of the log's retention, the
monthly review, sign-ins and their failures in the log, the log's export, and the administrators'
pages kept to their networks."""

from datetime import timedelta
from io import BytesIO
from ipaddress import ip_network

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import accounts
from portal.models import AccountReview, AuditLog, ExportJob, Notification, Role, User
from portal.tasks import upkeep_accounts
from tests.exports import rows_of
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditLog.Action


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def logged(action) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action).order_by("id"))


@pytest.fixture
def root(client, administrator):
    client.force_login(administrator)
    return client


# Disabled with a reason, never deleted


def test_an_administrator_disables_a_leaver_with_a_reason_and_their_session_ends(
    client, administrator, staff_a
):
    alice = type(client)()
    alice.force_login(staff_a)
    assert alice.get(reverse("staff_home")).status_code == 200
    client.force_login(administrator)
    page = client.get(reverse("account_disable", args=[staff_a.pk]))
    assert f"停用{staff_a.name}的账号" in page.text
    response = client.post(
        reverse("account_disable", args=[staff_a.pk]),
        {"reason": "3月1日调离建设路社区"},
        follow=True,
    )
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert (staff_a.disabled_reason, staff_a.disabled_by) == ("3月1日调离建设路社区", administrator)
    (entry,) = logged(Action.ACCOUNT_DISABLED)
    assert (entry.user, entry.subject, entry.description) == (
        administrator,
        staff_a,
        "3月1日调离建设路社区",
    )
    assert "3月1日调离建设路社区" in response.text
    # Her open session is over: the next page sends her to sign in.
    again = alice.get(reverse("staff_home"))
    assert again.status_code == 302 and again.url.startswith(reverse("login"))
    refused = alice.post(reverse("login"), {"username": staff_a.username, "password": PASSWORD})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert alice.get(reverse("staff_home")).status_code == 302


def test_a_disable_without_a_reason_is_refused_and_changes_nothing(root, staff_a):
    response = root.post(reverse("account_disable", args=[staff_a.pk]), {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    staff_a.refresh_from_db()
    assert staff_a.is_active and not logged(Action.ACCOUNT_DISABLED)


def test_an_administrator_cannot_disable_themselves(administrator):
    with pytest.raises(accounts.AccountError):
        accounts.disable(administrator, reason="测试", by=administrator)
    administrator.refresh_from_db()
    assert administrator.is_active


def test_a_disabled_account_is_enabled_again_and_its_unused_days_start_over(
    root, administrator, staff_a, settings
):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    User.objects.filter(pk=staff_a.pk).update(last_login=timezone.now() - timedelta(days=200))
    accounts.disable(staff_a, reason="调离", by=administrator)
    root.post(reverse("account_enable", args=[staff_a.pk]))
    staff_a.refresh_from_db()
    assert staff_a.is_active and staff_a.disabled_reason == "" and staff_a.enabled_at
    assert logged(Action.ACCOUNT_ENABLED)[0].subject == staff_a
    assert staff_a not in accounts.disable_unused(timezone.now())


def test_the_admin_cannot_delete_an_account_and_its_active_box_is_read_only(administrator):
    request = RequestFactory().get("/admin/")
    request.user = administrator
    admin = site._registry[User]
    assert not admin.has_delete_permission(request)
    assert "is_active" in admin.get_readonly_fields(request)


def test_a_new_account_and_a_change_of_role_or_scope_are_logged(root, tree, staff_a):
    response = root.post(
        reverse("admin:portal_user_change", args=[staff_a.pk]),
        {
            "username": staff_a.username,
            "name": staff_a.name,
            "email": "",
            "role": Role.OFFICIAL,
            "area": tree.district.pk,
            "second_factor": "authenticator",
            "mobile": "",
            "is_staff": "",
            "groups": [],
            "user_permissions": [],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = logged(Action.ACCOUNT_CHANGED)
    assert entry.subject == staff_a
    assert entry.description == (
        f"角色：社区工作者 → 区/市领导；管辖范围：{tree.community_a.name} → {tree.district.name}"
    )


# The daily upkeep


def test_unused_accounts_are_disabled_and_the_administrators_told(administrator, tree, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    now = timezone.now()
    idle = UserFactory(username="idle", area=tree.community_a)
    never = UserFactory(username="never", area=tree.community_a)
    busy = UserFactory(username="busy", area=tree.community_a)
    User.objects.filter(pk=idle.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=120))
    User.objects.filter(pk=busy.pk).update(last_login=now - timedelta(days=30))
    User.objects.filter(pk=administrator.pk).update(last_login=now)
    disabled = accounts.disable_unused(now)
    assert {account.username for account in disabled} == {"idle", "never"}
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {
        "idle",
        "never",
    }
    assert User.objects.get(username="idle").disabled_reason == "未登录已超过 90 天。"
    (note,) = Notification.objects.filter(user=administrator)
    assert note.title == "2 个长期未使用的账号已停用" and "idle" in note.body


def test_the_last_active_administrator_is_never_disabled_as_unused(administrator, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 30
    User.objects.filter(pk=administrator.pk).update(last_login=timezone.now() - timedelta(days=400))
    assert accounts.disable_unused(timezone.now()) == []
    administrator.refresh_from_db()
    assert administrator.is_active


def test_with_no_inactivity_limit_nobody_is_disabled(staff_a, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 0
    User.objects.filter(pk=staff_a.pk).update(last_login=timezone.now() - timedelta(days=999))
    assert accounts.disable_unused(timezone.now()) == []


def test_the_upkeep_purges_only_log_rows_older_than_the_retention(staff_a, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 200
    now = timezone.now()
    old = AuditLog.objects.create(
        user=staff_a, action=Action.VIEWED, created_at=now - timedelta(days=201)
    )
    kept = AuditLog.objects.create(
        user=staff_a, action=Action.VIEWED, created_at=now - timedelta(days=199)
    )
    assert upkeep_accounts() == {"disabled": 0, "purged": 1}
    assert list(AuditLog.objects.filter(pk__in=[old.pk, kept.pk])) == [kept]


# The monthly review


def test_the_accounts_page_lists_every_account_with_role_scope_and_last_sign_in(
    root, administrator, staff_a, staff_b, django_assert_max_num_queries
):
    accounts.disable(staff_b, reason="离职", by=administrator)
    for _ in range(30):
        UserFactory(area=staff_a.area)
    with django_assert_max_num_queries(10):
        page = root.get(reverse("accounts"))
    listed = list(page.context["page"].object_list)
    assert staff_a in listed and staff_b in listed and len(listed) == User.objects.count()
    assert "离职" in page.text
    disabled = root.get(reverse("accounts"), {"state": "disabled"})
    assert list(disabled.context["page"].object_list) == [staff_b]


def test_the_unused_tab_shows_who_the_upkeep_will_disable_within_a_fortnight(
    root, staff_a, staff_b, settings
):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    now = timezone.now()
    User.objects.filter(pk=staff_a.pk).update(last_login=now - timedelta(days=80))
    User.objects.filter(pk=staff_b.pk).update(last_login=now - timedelta(days=10))
    page = root.get(reverse("accounts"), {"state": "unused"})
    assert list(page.context["page"].object_list) == [staff_a]


def test_an_administrator_confirms_the_monthly_review(root, administrator, staff_a):
    response = root.post(reverse("account_review"), {"note": "已核对全部账号"}, follow=True)
    review = AccountReview.objects.get()
    assert (review.reviewed_by, review.accounts, review.active) == (administrator, 2, 2)
    assert "已核对全部账号" in response.text
    assert logged(Action.ACCOUNTS_REVIEWED)[0].description == "2 个账号，2 个在用"


# Sign-ins in the log


def test_a_sign_in_a_failure_a_lock_out_and_a_sign_out_are_logged_without_the_password(
    client, staff_a, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    secret = "Wrong-但很像的密码-123"
    url = reverse("login")
    client.post(url, {"username": "nobody", "password": secret})
    client.post(url, {"username": staff_a.username, "password": secret})
    client.post(url, {"username": staff_a.username, "password": secret})
    failed = logged(Action.SIGN_IN_FAILED)
    assert [(entry.user, entry.description) for entry in failed][:2] == [
        (None, "用户名：nobody"),
        (staff_a, f"用户名：{staff_a.username}"),
    ]
    assert all(entry.address == "127.0.0.1" for entry in failed)
    assert logged(Action.LOCKED_OUT)[0].user == staff_a
    settings.AXES_FAILURE_LIMIT = 5
    client.post(url, {"username": "bob", "password": secret})
    bob = UserFactory(username="bob2", area=staff_a.area)
    client.post(url, {"username": bob.username, "password": PASSWORD})
    (signed_in,) = logged(Action.SIGNED_IN)
    assert (signed_in.user, signed_in.address) == (bob, "127.0.0.1")
    client.post(reverse("logout"))
    assert logged(Action.SIGNED_OUT)[0].user == bob
    assert not AuditLog.objects.filter(description__contains="Wrong").exists()


@pytest.mark.password_only
def test_a_whole_sign_in_writes_the_password_step_then_the_second_factor(client, staff_a):
    from tests.signin import sign_in

    sign_in(client, staff_a, PASSWORD)
    steps = AuditLog.objects.filter(user=staff_a).order_by("id")
    assert [(entry.action, entry.address) for entry in steps] == [
        (Action.SIGNED_IN, "127.0.0.1"),
        (Action.SECOND_FACTOR_PASSED, "127.0.0.1"),
    ]
    assert steps.last().get_action_display() == "登录：第二重验证通过"


def test_no_log_row_holds_a_full_id_number_even_one_typed_into_a_search(staff_a):
    entry = AuditLog.record(staff_a, Action.EXPORTED, "从业人员名册（搜索：41010219900101123X）")
    assert entry.description == "从业人员名册（搜索：410***********123X）"
    assert AuditLog.record(staff_a, Action.VIEWED, "13800000001").description == "13800000001"


# Append-only


def test_the_database_refuses_to_change_a_log_row(staff_a):
    entry = AuditLog.record(staff_a, Action.VIEWED, "王五")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(description="改过")
    entry.refresh_from_db()
    assert entry.description == "王五"


@pytest.mark.services
def test_postgresql_refuses_to_delete_a_log_row_younger_than_six_months(staff_a):
    assert connection.vendor == "postgresql"
    now = timezone.now()
    young = AuditLog.objects.create(
        user=staff_a, action=Action.VIEWED, created_at=now - timedelta(days=179)
    )
    old = AuditLog.objects.create(
        user=staff_a, action=Action.VIEWED, created_at=now - timedelta(days=181)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditLog.objects.filter(pk=young.pk).delete()
    AuditLog.objects.filter(pk=old.pk).delete()
    assert list(AuditLog.objects.filter(pk__in=[young.pk, old.pk])) == [young]


# The export


def test_an_administrator_exports_the_log_for_a_date_range(root, administrator, staff_a):
    now = timezone.localtime()
    AuditLog.objects.create(
        user=staff_a, action=Action.VIEWED, description="早前", created_at=now - timedelta(days=40)
    )
    AuditLog.record(staff_a, Action.SIGN_IN_FAILED, "用户名：alice", address="10.1.2.3")
    start = (now - timedelta(days=1)).date().isoformat()
    response = root.get(
        reverse("audit_log_export"), {"start": start, "end": now.date().isoformat()}
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:4] == ("时间", "工作人员用户名", "工作人员", "操作")
    descriptions = [line[5] for line in lines[1:]]
    assert "用户名：alice" in descriptions and "早前" not in descriptions
    assert ("alice", "登录失败", "10.1.2.3") in [(line[1], line[3], line[7]) for line in lines]
    exported = logged(Action.EXPORTED)[-1]
    assert exported.user == administrator and start in exported.description


def test_a_bad_date_makes_no_export(root):
    response = root.get(reverse("audit_log_export"), {"start": "2026-13-45"})
    assert response.status_code == 302 and not logged(Action.EXPORTED)


def test_a_log_up_to_the_limit_is_still_sent_at_once_with_the_clients_address(
    root, staff_a, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    AuditLog.record(staff_a, Action.VIEWED, "张三")
    response = root.get(reverse("audit_log_export"), {"user": "alice"})
    assert [line[5] for line in rows_of(response)[1:]] == ["张三"]
    exported = logged(Action.EXPORTED)[-1]
    assert (exported.rows, exported.address) == (1, "127.0.0.1")
    assert not ExportJob.objects.exists()


def test_a_longer_log_is_written_in_the_background_and_its_file_kept_to_the_networks(
    root, staff_a, staff_b, settings, in_background
):
    AuditLog.record(staff_a, Action.VIEWED, "张三")
    AuditLog.record(staff_a, Action.EXPORTED, "从业人员名册", rows=40)
    AuditLog.record(staff_b, Action.VIEWED, "李四")  # another user's: filtered out
    job, rows = in_background(root, "audit_log_export", user="alice")
    assert job.kind == "portal.audit_log"
    assert [line[5] for line in rows[1:]] == ["张三", "从业人员名册"]
    requested, downloaded = AuditLog.objects.filter(subject_id=job.pk).order_by("id")
    assert (requested.action, requested.rows, requested.address) == ("exported", 2, "127.0.0.1")
    assert (downloaded.action, downloaded.address) == ("downloaded", "127.0.0.1")

    settings.ADMIN_ALLOWED_NETWORKS = [ip_network("10.8.0.0/16")]
    for name in ("export_job", "export_download"):
        assert root.get(reverse(name, args=[job.pk])).status_code == 404
    inside = root.get(reverse("export_download", args=[job.pk]), REMOTE_ADDR="10.8.3.4")
    assert inside.status_code == 200


# The administrators' pages from their networks only


@pytest.mark.parametrize("name", ["admin:index", "accounts", "audit_log", "audit_log_export"])
def test_administrators_pages_answer_404_outside_the_allowed_networks(root, settings, name):
    settings.ADMIN_ALLOWED_NETWORKS = [ip_network("10.8.0.0/16")]
    assert root.get(reverse(name)).status_code == 404
    inside = root.get(reverse(name), REMOTE_ADDR="10.8.3.4")
    assert inside.status_code in (200, 302)


def test_other_pages_do_not_care_about_the_networks(root, settings):
    settings.ADMIN_ALLOWED_NETWORKS = [ip_network("10.8.0.0/16")]
    assert root.get(reverse("staff_home")).status_code == 200


def test_without_networks_set_the_administrators_pages_answer_from_anywhere(root, settings):
    settings.ADMIN_ALLOWED_NETWORKS = []
    assert root.get(reverse("accounts"), REMOTE_ADDR="203.0.113.9").status_code == 200
