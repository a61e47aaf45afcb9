"""A reason the system wrote into the audit trail is told in the reader's language; what a
person typed is shown as typed."""

from django.utils import translation

from coordination.core import reasons


def test_a_system_reason_is_told_in_each_language_with_its_values():
    stored = reasons.CHANGE_APPROVED % {"number": "CR-007"}
    assert stored == "变更申请 CR-007 已批准"
    with translation.override("en"):
        english = reasons.told(stored)
    assert "CR-007" in english and "变更" not in english
    with translation.override("zh-hans"):
        assert reasons.told(stored) == stored
        assert reasons.told(english) == stored  # stored in English by an earlier version


def test_a_typed_reason_is_kept_as_typed():
    with translation.override("en"):
        assert reasons.told("客户要求提前验收") == "客户要求提前验收"
        assert reasons.told("") == ""
        assert reasons.told(reasons.PREDECESSOR_MOVED) != reasons.PREDECESSOR_MOVED
