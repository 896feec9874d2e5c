"""Tempest's last run (a subunit v2 stream on stdin) as JSON: each test's outcome and the totals.

Run with Debian's python3 (it has python3-subunit, which Tempest depends on):
    stestr last --subunit | /usr/bin/python3 scripts/tempest/results.py --commit abc123 > results.json
"""
import argparse
import datetime
import json
import sys

import subunit
import testtools

OUTCOMES = {"success": "passed", "fail": "failed", "skip": "skipped"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default="")
    args = parser.parse_args()

    tests: dict[str, dict] = {}

    class Collect(testtools.StreamResult):
        def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **_):
            if test_id is None:
                return
            entry = tests.setdefault(test_id, {"status": None, "detail": b""})
            if test_status in OUTCOMES:
                entry["status"] = OUTCOMES[test_status]
            # The skip reason, or the failure's traceback (its last line says what went wrong).
            if file_name in ("reason", "traceback") and file_bytes:
                entry["detail"] += file_bytes

    subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout").run(Collect())
    rows = []
    for test_id, entry in sorted(tests.items()):
        if entry["status"] is None:
            continue
        lines = entry["detail"].decode(errors="replace").strip().splitlines()
        rows.append({"test": test_id.split("[")[0], "status": entry["status"], "reason": lines[-1][:300] if lines else ""})
    totals = {outcome: sum(1 for r in rows if r["status"] == outcome) for outcome in ("passed", "failed", "skipped")}
    json.dump(
        {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": args.commit,
            "ran": len(rows),
            **totals,
            "tests": rows,
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
