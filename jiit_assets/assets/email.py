"""email assets."""
