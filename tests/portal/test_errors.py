import pytest

from feedback.services import FeedbackError
from points.services.activities import ActivityError
from points.services.ledger import PointsError
from points.services.rewards import RewardError
from portal.errors import DomainError
from registry.services import RegistryError


@pytest.mark.parametrize(
    "error", [RegistryError, PointsError, RewardError, ActivityError, FeedbackError]
)
def test_every_refusal_of_a_service_is_a_domain_error_with_a_code(error):
    refusal = error("stock", "None left.")
    assert isinstance(refusal, DomainError)
    assert (refusal.code, str(refusal)) == ("stock", "None left.")
