#!/usr/bin/env python3
"""Scale benchmark: fabgen against the real Helm engine and the I/O floor (not a test).

Usage: .venv/bin/python scripts/bench.py [ORGS ...]   (default: 30 100 300 1000)

For each size it makes a spec with `fabgen init --orgs N --peers 2 --orderers 3 --channels 5
--chaincodes 2` (the first channel has every org, the other four split them), then measures
  - `fabgen render SPEC -o DIR` and `fabgen chart SPEC -o DIR` (release build), wall time and
    peak RSS of the whole process (GNU time);
  - the Helm v4 engine of helm-python-sdk (PyPI, pinned in scripts/oracle-requirements.txt)
    rendering that chart in-process (`Chart.render`), timed around the call, and its whole
    process with GNU time;
  - the I/O floor: `cp -r` of the rendered tree (writing the same bytes);
each fabgen step and the copy REPEATS times into fresh directories (none is deleted before the
end: file creation slows down after mass deletions), keeping the best time and the highest peak
RSS; and prints a markdown table (objects, bytes, times, objects/s, MB/s, peak RSS, ratios).
Run `bash scripts/test.sh` once first: it installs the pinned Python tools into .venv.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

REPEATS = 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FABGEN = os.path.join(ROOT, "target", "release", "fabgen")
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")

HELM_RENDER = r"""
import json, sys, time
import helm_python as helm
with helm.Chart.load(sys.argv[1]) as chart:
    start = time.perf_counter()
    manifests = chart.render(None, name="bench", namespace="bench", is_install=True)
    elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "documents": sum(t.count("\nkind: ") + t.startswith("kind: ") for t in manifests.values())}))
"""


def timed(cmd):
    """Runs cmd under GNU time; (wall seconds, peak RSS bytes, stdout). The dirty pages of the
    step before are flushed first, so no step pays for another's writes."""
    os.sync()
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + cmd,
                             check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        rss_kb = int(report.read().strip().splitlines()[-1])
    return wall, rss_kb * 1024, out.stdout


def best(make_cmd):
    """Runs make_cmd(i) for i in range(REPEATS): (best wall seconds, highest peak RSS, stdout of
    the last run)."""
    runs = [timed(make_cmd(i)) for i in range(REPEATS)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2]


def tree_size(path):
    files, size = 0, 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def measure(orgs, work):
    spec = os.path.join(work, f"net{orgs}.yaml")
    with open(spec, "w") as f:
        f.write(subprocess.run([FABGEN, "init", "--name", "bench", "--orgs", str(orgs), "--peers", "2",
                                "--orderers", "3", "--channels", "5", "--chaincodes", "2"],
                               check=True, capture_output=True, text=True).stdout)
    out = lambda kind, i: os.path.join(work, f"{kind}{orgs}-{i}")
    render_s, render_rss, _ = best(lambda i: [FABGEN, "render", spec, "-o", out("deploy", i)])
    chart_s, chart_rss, _ = best(lambda i: [FABGEN, "chart", spec, "-o", out("chart", i)])
    helm_wall, helm_rss, helm_out = timed([PYTHON, "-c", HELM_RENDER, out("chart", 0)])
    helm = json.loads(helm_out)
    copy_s, _, _ = best(lambda i: ["cp", "-r", out("deploy", 0), out("copy", i)])
    files, size = tree_size(out("deploy", 0))
    _, chart_size = tree_size(out("chart", 0))
    objects = files - 2  # kustomization.yaml and the .fabgen marker
    return {
        "orgs": orgs, "objects": objects, "bytes": size,
        "render_s": render_s, "render_rss": render_rss, "chart_s": chart_s, "chart_rss": chart_rss,
        "chart_bytes": chart_size,
        "helm_s": helm["seconds"], "helm_wall": helm_wall, "helm_rss": helm_rss, "helm_objects": helm["documents"],
        "copy_s": copy_s,
    }


def table(rows):
    mb = 1e6
    out = ["| orgs | objects | output | bytes/object | fabgen render | objects/s | MB/s | peak RSS | RSS/output "
           "| fabgen chart | chart/render | chart RSS/chart | Helm render (in-process) | Helm process | Helm/fabgen | cp -r | fabgen/cp |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(
            f"| {r['orgs']} | {r['objects']} | {r['bytes'] / mb:.1f} MB | {r['bytes'] / r['objects']:.0f} B "
            f"| {r['render_s']:.2f} s | {r['objects'] / r['render_s']:.0f} | {r['bytes'] / mb / r['render_s']:.1f} "
            f"| {r['render_rss'] / mb:.0f} MB | {r['render_rss'] / r['bytes']:.1f}× "
            f"| {r['chart_s']:.2f} s | {r['chart_s'] / r['render_s']:.2f}× | {r['chart_rss'] / r['chart_bytes']:.1f}× | {r['helm_s']:.2f} s | {r['helm_wall']:.2f} s | {r['helm_s'] / r['render_s']:.2f}× "
            f"| {r['copy_s']:.2f} s | {r['render_s'] / r['copy_s']:.1f}× |")
    return "\n".join(out)


def main(argv):
    sizes = [int(a) for a in argv[1:]] or [30, 100, 300, 1000]
    if not os.path.exists(PYTHON):
        raise SystemExit("run `bash scripts/test.sh` first: it installs helm-python-sdk into .venv")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as work:
        rows = []
        for n in sizes:
            rows.append(measure(n, work))
            print(f"measured {n} orgs", file=sys.stderr)
    print(table(rows))
    first, last = rows[0], rows[-1]
    per_object = (last["render_s"] / last["objects"]) / (first["render_s"] / first["objects"])
    print(f"\nper-object time at {last['orgs']} orgs is {per_object:.2f}× that at {first['orgs']} orgs; "
          f"`fabgen chart` takes {last['chart_s'] / last['render_s']:.2f}× `fabgen render` at {last['orgs']} orgs.")


if __name__ == "__main__":
    main(sys.argv)
