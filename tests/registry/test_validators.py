import pytest
from django.core.exceptions import ValidationError

from registry.validators import validate_id_number


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
