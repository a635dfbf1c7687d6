"""Incremental builds: what earlier builds are remembered by, and how."""
