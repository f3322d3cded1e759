#!/usr/bin/env python
"""voicedrill benchmarks: each area measures itself against a naive baseline in the same run.

    .venv/bin/python scripts/bench.py            all areas
    .venv/bin/python scripts/bench.py asr tts    some areas

Each scripts/bench_<area>.py defines ``bench_<area>(report)`` and calls
``report(name, value, unit, note="")``. Numbers are for this machine and this run;
the tests never assert times.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    areas = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    chosen = argv or areas
    unknown = [a for a in chosen if a not in areas]
    if unknown:
        print(f"unknown area(s): {', '.join(unknown)}; choose from: {', '.join(areas)}", file=sys.stderr)
        return 2
    print(f"voicedrill benchmarks on {platform.machine()}, {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    failed = 0
    for area in chosen:
        spec = importlib.util.spec_from_file_location(f"bench_{area}", HERE / f"bench_{area}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while it loads
        spec.loader.exec_module(module)
        print(f"\n== {area} ==")

        def report(name: str, value: float, unit: str, note: str = "") -> None:
            print(f"  {name:<48} {value:>10.3f} {unit:<6} {note}")

        t0 = time.perf_counter()
        try:
            getattr(module, f"bench_{area}")(report)
        except Exception as e:  # one area failing must not hide the others
            failed += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
        print(f"  ({time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
