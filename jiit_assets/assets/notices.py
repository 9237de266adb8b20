"""notices assets."""
