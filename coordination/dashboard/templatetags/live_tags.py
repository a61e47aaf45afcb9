"""The live counts' polling trigger (room: core; it lives here only so that Django finds it):

    hx-trigger="{% live_poll %}"     every 30s, live-refresh   (settings.LIVE_POLL_SECONDS)

`live-refresh` is sent by static/js/live.js when a hidden tab is shown again after it skipped
a poll; polls in a hidden tab are skipped there too.
"""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def live_poll() -> str:
    return f"every {int(settings.LIVE_POLL_SECONDS)}s, live-refresh"
