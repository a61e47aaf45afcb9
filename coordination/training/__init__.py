"""Training (培训): sessions, attendance and feedback, materials, coverage (docs/loop.md)."""
