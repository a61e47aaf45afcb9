"""The channel rule: on which channels (e-mail, chat, in-app) a user is told things, from
their profile. One rule in two forms, side by side: `channels_for` in Python (notify's
e-mail, the reminder outbox on SQLite) and `CHANNELS_SQL` for PostgreSQL's set-based
INSERT of reminder rows. tests/reviews/test_channel_rule.py checks that both give the same
channels for every combination of profile flags.

Nobody is left without a message: with no usable channel chosen (or no profile), the in-app
inbox is used. E-mail needs an address, chat a webhook URL.
"""

from __future__ import annotations

EMAIL, CHAT, INAPP = "email", "chat", "inapp"
CHANNELS = (EMAIL, CHAT, INAPP)


def channels_for(user) -> list[str]:
    """The channels `user` chose, in the order e-mail, chat, in-app."""
    profile = getattr(user, "profile", None)
    chosen = []
    if user.email and (profile is None or profile.notify_email):
        chosen.append(EMAIL)
    if profile is not None and profile.notify_chat and profile.chat_webhook_url:
        chosen.append(CHAT)
    if profile is None or profile.notify_inapp or not chosen:
        chosen.append(INAPP)
    return chosen


# The same rule for a query that has the user as `u` and their profile as `pr` (LEFT JOIN:
# all NULL without a profile): one row per chosen channel, its name in `ch.channel`.
CHANNELS_SQL = f"""
    CROSS JOIN LATERAL (
        SELECT u.email <> '' AND coalesce(pr.notify_email, TRUE) AS email,
               coalesce(pr.notify_chat AND pr.chat_webhook_url <> '', FALSE) AS chat
    ) AS chosen
    JOIN (VALUES ('{EMAIL}'), ('{CHAT}'), ('{INAPP}')) AS ch (channel)
      ON CASE ch.channel
           WHEN '{EMAIL}' THEN chosen.email
           WHEN '{CHAT}' THEN chosen.chat
           ELSE coalesce(pr.notify_inapp, TRUE) OR NOT (chosen.email OR chosen.chat)
         END
"""
