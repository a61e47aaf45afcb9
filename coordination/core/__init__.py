"""The foundation every room stands on: departments and profiles, roles, audit, notifications,
numbering, domain events and exceptions, web security. Imports no feature."""
