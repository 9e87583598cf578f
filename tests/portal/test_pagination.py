import pytest
from django.urls import reverse

from portal.pagination import CappedPaginator
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_five(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 5)


def test_under_the_cap_the_count_is_exact(cap_of_five, tree):
    WorkerFactory.create_batch(5, area=tree.community_a)
    from registry.models import Worker

    paginator = CappedPaginator(Worker.objects.order_by("id"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)


def test_over_the_cap_the_roster_says_more_than_and_stops_paging_there(
    cap_of_five, client, tree, staff_a
):
    WorkerFactory.create_batch(7, area=tree.community_a)
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers"))
    assert "超过 5 人" in response.text
    assert response.context["page"].paginator.count == 5
    assert len(response.context["page"].object_list) == 5
