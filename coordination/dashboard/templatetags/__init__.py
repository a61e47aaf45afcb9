"""Template tags of the dashboard (the health badge)."""
