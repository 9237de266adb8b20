"""official assets."""
