"""Pure functions with no I/O and no Dagster: turning outside input into typed documents."""
