"""People's API tokens: one per device, hashed, with an expiry, revocable (django-rest-knox)."""
