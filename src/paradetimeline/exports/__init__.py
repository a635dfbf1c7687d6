"""Exports: the machine-readable files (JSON, TimelineJS, iCalendar, Atom, sitemap)."""
