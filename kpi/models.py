"""Models of the kpi app."""
