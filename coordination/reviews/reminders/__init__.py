"""The reminder outbox: create due rows, claim them, send them over their channels."""
