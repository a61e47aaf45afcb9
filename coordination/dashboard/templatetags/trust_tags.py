"""Values for humans (room: core; it lives here only so that Django finds it, and it is a
template builtin, so no page needs to load it):

    {{ user|person }}            a person's display name in the reader's convention
    {{ amount|money }}           1,200,000.00 (thousands separators, two decimals)
    {{ amount|money:currency }}  1,200,000.00 CNY
    {{ notification.kind|kind_label }}  what a kind of notification is called
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from coordination.core.channels_rule import kind_label as _kind_label
from coordination.core.people import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    return display_name(user) if user else ""


@register.filter
def kind_label(code: str) -> str:
    return _kind_label(code or "")


@register.filter
def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text
