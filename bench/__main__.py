"""`python -m bench [--only NAME] [--smoke]`: run the benchmarks, print the table, write JSON."""

import argparse
import importlib
import pkgutil
import sys
import time
import traceback

from bench import harness

NOT_BENCHMARKS = {"harness", "__main__", "common"}


def discover() -> list[str]:
    import bench

    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__)
                  if m.name not in NOT_BENCHMARKS and not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", help="run one benchmark by name")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    args = parser.parse_args(argv)

    harness.configure_environment()
    problem = harness.services_problem()
    if problem:
        print(f"make bench needs PostgreSQL and Redis.\n{problem}", file=sys.stderr)
        return 2

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    names = discover()
    if args.only:
        if args.only not in names:
            print(f"unknown benchmark {args.only!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        names = [args.only]
    size = "tiny" if args.smoke else "full"
    rows, started = [], time.monotonic()
    for name in names:
        print(f"== {name} ({size})", flush=True)
        try:
            row = importlib.import_module(f"bench.{name}").run(size)
        except Exception as exc:
            traceback.print_exc()
            row = {"name": name, "error": f"{type(exc).__name__}: {exc}"}
        row.setdefault("name", name)
        row["size"] = size
        harness.write_result(row)
        rows.append(row)
    print()
    print(harness.format_table(rows))
    print(f"\n{len(rows)} benchmark(s) in {time.monotonic() - started:.0f} s; "
          f"JSON in {harness.RESULTS_DIR.relative_to(harness.ROOT)}/")
    failed = [r["name"] for r in rows if r.get("error") or (not args.smoke and not r["passed"])]
    # Smoke runs prove the benchmarks still run; targets are judged at full size only.
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
