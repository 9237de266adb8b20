"""analytics assets."""
