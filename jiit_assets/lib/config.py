"""Reading settings from the environment the Dagster way.

Secrets and settings are passed to resources as ``dg.EnvVar`` so that the UI shows the variable's
name, never its value. Settings with a sensible default fall back to it when the variable is unset.
"""

from __future__ import annotations

import os

import dagster as dg


def env_or_default(name: str, default: str) -> str:
    """``EnvVar(name)`` when the variable is set (the UI then shows the name), else the default."""
    if os.environ.get(name, "").strip():
        return dg.EnvVar(name)  # a str subclass: Dagster resolves it when the resource is used
    return default


def env_or_empty(name: str) -> str:
    """``EnvVar(name)`` when set, else ``""``: resources treat an empty secret as "not configured"."""
    return env_or_default(name, "")


def is_set(*names: str) -> bool:
    return all(os.environ.get(name, "").strip() for name in names)
