"""Benchmarks of jiit-assets (``make bench``): what an hourly run costs, fan-out speed, scaling.

Not part of the test suite: nothing here asserts a time. ``python -m jiit_assets_tests.bench``
runs every benchmark against a FerretDB it starts itself and the in-package stand-ins, and writes
``BENCHMARKS.md`` at the repository root. One module per benchmark, each exposing ``run(bench)``.
"""
