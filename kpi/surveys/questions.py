"""The questions of the satisfaction survey, asked alike by staff and by the customer's link.

A question's key is its Chinese text, as `SatisfactionSurvey.scores` stores it whatever the
language it was answered in; the label is what the reader reads.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

QUESTIONS = [
    ("沟通协调", _("沟通协调")),
    ("进度履约", _("进度履约")),
    ("施工质量", _("施工质量")),
    ("现场安全", _("现场安全")),
    ("售后服务", _("售后服务")),
]
QUESTION_KEYS = [key for key, _label in QUESTIONS]
