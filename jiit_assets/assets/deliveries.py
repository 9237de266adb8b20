"""deliveries assets."""
