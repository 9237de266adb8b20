"""Local HTTP stand-ins of the outside services, for tests and `make demo`. Loopback only."""
