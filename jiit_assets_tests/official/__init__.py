"""Tests of the official placement figures and the placement analytics."""
