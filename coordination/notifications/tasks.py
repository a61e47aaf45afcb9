"""Celery task of the notification centre: thin (the digest's unique row makes a re-run
send nothing twice)."""

from __future__ import annotations

from celery import shared_task

from coordination.notifications import digest


@shared_task(name="coordination.send_daily_digests")
def send_daily_digests() -> int:
    return digest.send_daily_digests()
