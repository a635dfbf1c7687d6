"""Render: views of the timeline, the page plan, the Jinja environment, Markdown, JSON-LD."""
