"""Where an experiment's numbers came from, read off its manifest: commits, precisions, thread
counts and kinds of host. A manifest that keeps several runs (the sweep, Q3's seeds) is described
by its runs, not by whichever process wrote it last."""

from collections import Counter


def provenance_of(manifest):
    """(commit(s), precision(s), thread count(s)) of an experiment, as the report prints them."""
    runs = list((manifest.get("runs") or {}).values())
    if not runs:
        return (
            f'`{manifest.get("git_commit", "?")[:12]}`',
            manifest.get("precision", "?"),
            str(manifest.get("threads", "?")),
        )
    commits = sorted({str(r.get("git_commit", "?"))[:12] for r in runs})
    counts = Counter(r.get("precision", "?") for r in runs)
    precision = ", ".join(f"{p} ({n} run{'' if n == 1 else 's'})" for p, n in sorted(counts.items()))
    threads = ", ".join(sorted({str(r.get("threads", "?")) for r in runs}))
    return ", ".join(f"`{c}`" for c in commits), precision, threads


def host_of(manifest):
    """The kind(s) of host an experiment's numbers came from: its runs' `host_kind` ("not recorded"
    in runs made before manifests had that field), or the manifest's own host when it keeps no runs."""
    runs = list((manifest.get("runs") or {}).values())
    host = manifest.get("host") or {}
    if not runs:
        return host.get("kind") or f'{host.get("cpu", "?")}, features not recorded'
    counts = Counter(r.get("host_kind") or "not recorded" for r in runs)
    return ", ".join(f"{k} ({n} run{'' if n == 1 else 's'})" for k, n in sorted(counts.items()))
