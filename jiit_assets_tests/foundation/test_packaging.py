"""What ships: the built wheel holds the product package only, never stand-ins, tests or benchmarks."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from jiit_assets_tests.fixtures.servers import REPO_ROOT


def test_the_wheel_contains_the_product_and_no_development_tooling(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=REPO_ROOT,
        check=True,
        timeout=240,
    )
    [wheel] = tmp_path.glob("jiit_assets-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.startswith("jiit_assets-")}
    assert packages == {"jiit_assets"}
    assert "jiit_assets/definitions.py" in names
    assert any(name.startswith("jiit_assets/defs/delivery/") for name in names)
    # The subscription page's files are package data: `jiit-assets serve` reads them from the package.
    static = "jiit_assets/defs/subscribers/static/"
    assert {f"{static}{name}" for name in ("index.html", "app.css", "app.js", "sw.js", "icon.png")} <= set(
        names
    )
    assert not [name for name in names if "standin" in name or "test" in name.split("/")[-1]]
