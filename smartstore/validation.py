"""Friendly checks in Python, before the database sees a value.

The database's constraints are the real guard (see the models and `smartstore.refusals`); these
checks only make the common mistakes fail early, at the line that made them, with the field's name
and the rule. Every failure is an `InvalidInput`.
"""

import re
from enum import Enum

from smartstore.errors import SmartstoreError


class InvalidInput(SmartstoreError, ValueError):
    """A value a field does not accept: `field` names it, `rule` says what it must be."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def not_blank(field: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must not be empty or blank")
    return value


def matches(field: str, value: str, pattern: str, example: str) -> str:
    if not isinstance(value, str) or re.fullmatch(pattern, value) is None:
        raise InvalidInput(field, f"must look like {example!r}, not {value!r}")
    return value


def whole_cents(field: str, value: int) -> int:
    """Money is an int of cents: 899 is $8.99. A float cannot hold most prices exactly."""
    if isinstance(value, bool) or not isinstance(value, int):
        example = f" ({round(value * 100)} for {value})" if isinstance(value, float) else ""
        raise InvalidInput(field, f"must be whole cents as an int{example}, not {value!r}")
    if value < 0:
        raise InvalidInput(field, f"must be 0 or more, not {value}")
    return value


def one_of[E: Enum](field: str, value: E | str, enum: type[E]) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum)
        raise InvalidInput(field, f"must be one of {allowed}, not {value!r}") from None
