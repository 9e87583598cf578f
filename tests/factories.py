from datetime import timedelta

import factory
from django.utils import timezone

from portal.models import Area, AreaLevel, Role, User

PASSWORD = "correct horse battery"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["code"]

    level = AreaLevel.CITY
    code = factory.Sequence(lambda n: f"{410000 + n:06d}")
    name = factory.Sequence(lambda n: f"测试区域{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    name = factory.Sequence(lambda n: f"工作人员{n}")
    role = Role.COMMUNITY_STAFF
    # An established account, whose password is its own (a new one: password_changed_at=None).
    password_changed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Worker"

    name = factory.Iterator(["张三", "李四", "王五", "赵六", "欧阳娜娜"])
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    occupation = "food_delivery"
    platform = "meituan"
    political_status = "masses"
    consent_version = "test"
    consented_at = factory.LazyFunction(timezone.now)

    class Params:
        party_member = factory.Trait(
            political_status="party_member",
            party_branch="美团骑手党支部",
            sensitive_consented_at=factory.LazyFunction(timezone.now),
        )


class WorkerRoleFactory(factory.django.DjangoModelFactory):
    """An appointment in the worker's community, from today, with no end."""

    class Meta:
        model = "registry.WorkerRole"

    worker = factory.SubFactory(WorkerFactory, status="confirmed")
    role = "volunteer"
    area = factory.LazyAttribute(lambda appointment: appointment.worker.area)
    starts_on = factory.LazyFunction(timezone.localdate)


class RecruitmentCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.RecruitmentCall"

    role = "grid_member"
    wanted = 2
    duties = "每周巡查网格两次，发现问题随手拍上报"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    department = "建设路社区居委会"
    term_ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class CareVisitFactory(factory.django.DjangoModelFactory):
    """A care visit (三必访) due in a week for a party member."""

    class Meta:
        model = "registry.CareVisit"

    worker = factory.SubFactory(WorkerFactory, party_member=True)
    trigger = "job_change"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.Enterprise"

    name = factory.Sequence(lambda n: f"测试网点{n}")
    kind = "branch"
    platform = "meituan"
    workforce = 30


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stations.Station"

    name = factory.Sequence(lambda n: f"测试驿站{n}")
    kind = "warm_station"
    address = factory.Sequence(lambda n: f"建设路{n}号")
    latitude = "34.414000"
    longitude = "115.656000"
    open_24h = True


class StationPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "stations.StationPhoto"

    station = factory.SubFactory(StationFactory)
    image = factory.django.ImageField(filename="photo.jpg", format="JPEG", width=64, height=48)
    caption = "门口"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.Department"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"部门{n}")

    @factory.post_generation
    def handlers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.handlers.set(extracted)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.Suggestion"

    category = "suggestion"
    text = factory.Sequence(lambda n: f"建议在路口增加电动车充电桩 {n}")
    channel = "qr_code"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "feedback.Task"

    suggestion = factory.SubFactory(SuggestionFactory, state="accepted")
    department = factory.SubFactory(DepartmentFactory)
    instructions = "现场核实并整改"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=5))


class ActivityFactory(factory.django.DjangoModelFactory):
    """A volunteer activity tomorrow morning, sign-up open until tonight, 10 places, 5 points."""

    class Meta:
        model = "points.Activity"

    title = factory.Sequence(lambda n: f"夏送清凉志愿服务{n}")
    kind = "volunteer"
    place = "建设路暖心驿站门口"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda activity: activity.starts_at + timedelta(hours=2))
    sign_up_deadline = factory.LazyAttribute(
        lambda activity: activity.starts_at - timedelta(hours=12)
    )
    capacity = 10
    points = 5


class SuggestionPhotoFactory(factory.django.DjangoModelFactory):
    """A processed photo and its thumbnail, small JPEGs written to MEDIA_ROOT (use the `media`
    fixture)."""

    class Meta:
        model = "feedback.SuggestionPhoto"

    suggestion = factory.SubFactory(SuggestionFactory)
    image = factory.django.ImageField(filename="photo.jpg", format="JPEG", width=64, height=48)
    thumbnail = factory.django.ImageField(filename="thumb.jpg", format="JPEG", width=32, height=24)
    state = "ready"
