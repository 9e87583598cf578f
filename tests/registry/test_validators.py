import pytest
from django.core.exceptions import ValidationError

from registry.validators import normalise_mobile, validate_id_number, validate_mobile


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


@pytest.mark.parametrize("valid", ["11010519491231002X", "411402199003071238"])
def test_gb_11643_example_numbers_are_valid(valid):
    validate_id_number(valid)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("11010519491231002", "id_format"),
        ("11010519491231002Y", "id_format"),
        ("110105194912310021", "id_check_digit"),
        ("110105194902300025", "id_birth_date"),  # 30 February
        ("110105299901010011", "id_birth_date"),  # born in the future
    ],
)
def test_wrong_id_numbers_say_what_is_wrong(bad, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(bad)
    assert error.value.code == code
