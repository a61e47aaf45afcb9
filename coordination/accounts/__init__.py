"""Accounts: password reset and change (Django's own views), the optional TOTP second factor
(django-otp) and the rule that requires it for staff and PMO (docs/security.md, "Accounts and
sessions")."""
