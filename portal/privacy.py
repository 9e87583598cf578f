"""Masking of personal data for lists, logs and console output."""


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to tell two numbers apart, not enough to call one."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


def mask_name(name: str) -> str:
    """孙*: the family name only, for lists that riders see of each other."""
    return f"{name[:1]}*" if name else "*"
