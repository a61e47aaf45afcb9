"""Models of the handover app."""
