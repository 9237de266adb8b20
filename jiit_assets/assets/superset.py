"""superset assets."""
