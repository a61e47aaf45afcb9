"""Job rotation as a programme (互换岗位体验): plan, both heads' approval, monthly check-ins,
the reflection and the host's assessment; the KPI pages compare projects whose PMs rotated."""
