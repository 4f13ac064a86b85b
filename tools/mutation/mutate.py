"""The mutation check: do the tests notice a wrong result?

Applies each edit of tools/mutation/mutations.py, one at a time, to a scratch copy of the work tree
(the tracked files as they are now, edits included), runs the tests the entry names there with
`bazel test`, and restores the file. A mutation is *caught* when a test fails, *survives* when all
pass. It prints the score and the survivors, and writes a CSV. Slow (each mutation rebuilds what
depends on its file), so it is not part of `bazel test //...`:

    tools/mutation/run.sh                       # every mutation
    tools/mutation/run.sh --only=gradcam_no_relu,wilson_z
    tools/mutation/run.sh --list

Exit status: 0 when every mutation was caught, 1 when one survived, 2 for bad input or when the
unmutated tests already fail (then no score would mean anything).
"""

import argparse
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from tools.mutation.mutations import MUTATIONS  # noqa: E402

# Bazel's exit codes (bazel help exit-codes): 0 all passed, 3 a test failed, 4 no tests; else a build error.
BAZEL_TESTS_FAILED = 3
SKIPPED_PREFIXES = ("reports/data/", "reports/figures/")


def repo_root():
    return subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=HERE, check=True, capture_output=True, text=True
    ).stdout.strip()


def default_scratch(root):
    key = hashlib.sha1(root.encode()).hexdigest()[:10]
    return os.path.join(os.path.expanduser("~/.cache/hw1-repro/mutation"), key, "tree")


def check_applies(mutation, text):
    """An error message, or None when `find` occurs exactly once."""
    count = text.count(mutation.find)
    if count == 1:
        return None
    return (
        f"mutation {mutation.id}: its text occurs {count} times in {mutation.path} (must be once); "
        "update tools/mutation/mutations.py"
    )


def sync_tree(root, scratch):
    """Copies the work tree's files (tracked, and new ones git does not ignore) into `scratch`, leaving unchanged
    files alone so that Bazel's cache there stays warm; removes files no longer tracked."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout
    files = [f for f in listed.decode().split("\0") if f and not f.startswith(SKIPPED_PREFIXES)]
    os.makedirs(scratch, exist_ok=True)
    wanted = set()
    for rel in files:
        src, dst = os.path.join(root, rel), os.path.join(scratch, rel)
        if not os.path.isfile(src):  # deleted in the work tree, not yet in git
            continue
        wanted.add(rel)
        with open(src, "rb") as handle:
            data = handle.read()
        if os.path.isfile(dst):
            with open(dst, "rb") as handle:
                if handle.read() == data:
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    for dirpath, dirnames, filenames in os.walk(scratch):
        dirnames[:] = [d for d in dirnames if not d.startswith("bazel-")]
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), scratch)
            if rel not in wanted:
                os.remove(os.path.join(dirpath, name))


def bazel_test(scratch, targets, test_filter, log_path):
    command = ["bazel", "test", "--test_output=errors"]
    if test_filter:
        command.append(f"--test_filter={test_filter}")
    command += ["--"] + list(targets)
    with open(log_path, "w") as log:
        return subprocess.run(command, cwd=scratch, stdout=log, stderr=subprocess.STDOUT).returncode


def failed_tests(log_path):
    with open(log_path, errors="replace") as handle:
        return sorted({line.split()[0] for line in handle if " FAILED" in line and line.startswith("//")})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated mutation ids (default: all)")
    parser.add_argument("--scratch", default="", help="the scratch copy (default: under ~/.cache/hw1-repro/mutation)")
    parser.add_argument("--out", default="", help="CSV of the results (default: <scratch>/../mutation_results.csv)")
    parser.add_argument("--list", action="store_true", help="print the mutations and exit")
    args = parser.parse_args(argv)

    chosen = MUTATIONS
    if args.only:
        wanted = args.only.split(",")
        unknown = sorted(set(wanted) - {m.id for m in MUTATIONS})
        if unknown:
            print(f"mutate: --only={args.only}: unknown mutation(s) {', '.join(unknown)}; see --list", file=sys.stderr)
            return 2
        chosen = [m for m in MUTATIONS if m.id in wanted]
    if args.list:
        for m in chosen:
            print(f"{m.id:30s} {m.path:34s} {m.why}")
        return 0

    root = repo_root()
    scratch = os.path.abspath(args.scratch or default_scratch(root))
    out = os.path.abspath(args.out or os.path.join(os.path.dirname(scratch), "mutation_results.csv"))
    problems = []
    for m in chosen:
        with open(os.path.join(root, m.path)) as handle:
            problem = check_applies(m, handle.read())
        if problem:
            problems.append(problem)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2

    print(f"mutate: {len(chosen)} mutations; scratch copy {scratch}", flush=True)
    sync_tree(root, scratch)
    logs = os.path.join(os.path.dirname(scratch), "logs")
    os.makedirs(logs, exist_ok=True)

    # The tests must pass unmutated, else "caught" would mean nothing.
    targets = sorted({t for m in chosen for t in m.tests})
    start = time.time()
    code = bazel_test(scratch, targets, "", os.path.join(logs, "unmutated.log"))
    if code != 0:
        print(
            f"mutate: the tests fail without any mutation (bazel exit {code}); see {logs}/unmutated.log",
            file=sys.stderr,
        )
        return 2
    print(f"mutate: unmutated, {len(targets)} test targets pass ({time.time() - start:.0f} s)", flush=True)

    results = []
    for i, m in enumerate(chosen, 1):
        path = os.path.join(scratch, m.path)
        with open(path) as handle:
            original = handle.read()
        log = os.path.join(logs, f"{m.id}.log")
        start = time.time()
        try:
            with open(path, "w") as handle:
                handle.write(original.replace(m.find, m.replace, 1))
            code = bazel_test(scratch, m.tests, m.filter, log)
        finally:
            with open(path, "w") as handle:
                handle.write(original)
        if code == 0:
            outcome, by = "survived", ""
        elif code == BAZEL_TESTS_FAILED:
            outcome, by = "caught", " ".join(failed_tests(log))
        else:
            outcome, by = "did not build", f"bazel exit {code}"
        seconds = time.time() - start
        results.append(
            {"id": m.id, "path": m.path, "outcome": outcome, "caught_by": by, "seconds": f"{seconds:.0f}", "why": m.why}
        )
        print(f"[{i}/{len(chosen)}] {m.id}: {outcome}{' by ' + by if by else ''} ({seconds:.0f} s)", flush=True)

    tmp = f"{out}.tmp.{os.getpid()}"
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(results[0]) if results else ["id"])
        writer.writeheader()
        writer.writerows(results)
    os.replace(tmp, out)
    caught = sum(r["outcome"] == "caught" for r in results)
    broken = [r for r in results if r["outcome"] == "did not build"]
    survivors = [r for r in results if r["outcome"] == "survived"]
    print(f"\nmutation score: {caught} of {len(results)} caught ({out})")
    for r in survivors:
        print(f"  survived: {r['id']} ({r['path']}): {r['why']}")
    for r in broken:
        print(f"  did not build (fix the entry): {r['id']}, log {logs}/{r['id']}.log")
    return 2 if broken else 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
