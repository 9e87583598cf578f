import pytest
from django.core.exceptions import ValidationError

from portal.mobile import normalise_mobile, validate_mobile


@pytest.mark.parametrize(
    "typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678"]
)
def test_mobile_numbers_are_read_the_way_people_type_them(typed):
    mobile = normalise_mobile(typed)
    validate_mobile(mobile)
    assert mobile == "13812345678"


@pytest.mark.parametrize(
    "bad", ["1381234567", "138123456789", "12812345678", "23812345678", "1381234567a", ""]
)
def test_other_numbers_are_not_mainland_mobiles(bad):
    with pytest.raises(ValidationError) as error:
        validate_mobile(normalise_mobile(bad))
    assert error.value.code == "mobile"
