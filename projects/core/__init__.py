"""The project core: customers, projects with dual PMs, members, milestones, risks, the
lifecycle."""
