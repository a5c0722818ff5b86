"""Writing or checking a committed JSON fixture: shared by the packages' fixture scripts."""

import json
import os
import sys


def write_or_check(out, fixture, made_with):
    """Writes `fixture` (compact JSON) to `out`; with --check on the command line, compares it with
    the committed file instead and exits 1 naming the keys that differ. `made_with` says what
    computed it (e.g. "torch 1.13.0"), for the report."""
    text = json.dumps(fixture, separators=(",", ":")) + "\n"
    if "--check" in sys.argv:
        with open(out) as f:
            committed = json.load(f)
        fresh = json.loads(text)
        if committed != fresh:
            diff = [k for k in fresh if fresh[k] != committed.get(k)]
            print(f"{out} is out of date (differs in {diff}): rerun {sys.argv[0]}")
            sys.exit(1)
        print(f"{out} matches {made_with}")
        return
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out} ({len(text)} bytes)")
