"""The reminder outbox: create due rows, claim them, send them over their channels.

rules     timings and limits (settings); the channel rule is coordination.core.channels_rule
rows      the rows creators hand the outbox, texts in each recipient's language
sql       the one INSERT … SELECT of outbox rows (PostgreSQL)
create    review reminders, overdue escalations, weekly digests
send      claim due rows, send them, record the outcome
channels  delivery: e-mail, chat webhook, in-app
portable  the ORM paths for databases other than PostgreSQL (make run's SQLite)
"""
