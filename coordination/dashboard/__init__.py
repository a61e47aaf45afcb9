"""The managers' pages: home, portfolio, project health. Reads every room; no room imports it."""
