"""Cross-cutting asset checks: unique natural ids, freshness of the notices queue."""
