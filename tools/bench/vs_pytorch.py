#!/usr/bin/env python3
"""FaceX-J against PyTorch on the same CPU, in one window: the training step (MobileFaceNet or a
ResNet IR preset, + MV-Softmax) and the forward pass, each run alternately by `facex bench` and by torch_reference.py
for several rounds; medians, ratios (ours / PyTorch) and peak memory as Markdown, CSV and JSON.
PyTorch runs twice per round: under bin/facex's glibc malloc settings and libgomp spin count (like for like:
the allocator speeds up PyTorch too) and under the defaults, which is how FaceX-Zoo's users run it.
With --scaling, also images/s over batch sizes and thread counts for both, and a PNG of it.

    python3 tools/bench/vs_pytorch.py --facex assembly/target/facex/bin/facex --rounds 3
    python3 tools/bench/vs_pytorch.py --scaling --batches 16,32,64,128 --threads-list 1,2
    python3 tools/bench/vs_pytorch.py --replot vs-pytorch/scaling.json --out vs-pytorch   # the PNG, later
    python3 tools/bench/vs_pytorch.py --backbone IR-50 --train-batches 16 --infer-batches 16 --reps 3

Each process is timed on its own (warm-up steps discarded, median of the timed steps); the order of
the two alternates from round to round so that drift on a shared machine hits both alike. Without
python3-torch the PyTorch column says so and only ours is measured. Standard library only; the plot
needs matplotlib.
"""
import argparse
import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS_LINE = re.compile(r": ([0-9.]+) images/s \(.*?peak RSS ([0-9.]+) GB")


def run_ours(facex, kind, batch, threads, classes, warmup, reps, extra):
    cmd = [facex, "--threads", str(threads), "bench", kind, "--batch", str(batch),
           "--warmup", str(warmup), "--reps", str(reps)] + extra
    if kind == "train":
        cmd += ["--classes", str(classes)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    m = OURS_LINE.search(out.stdout)
    if out.returncode != 0 or not m:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(cmd), out.returncode, out.stdout, out.stderr))
    return float(m.group(1)), float(m.group(2)) * 1024


# PyTorch's allocator baselines, each with the key its figures are kept under
BASELINES = {"facex": "torch", "defaults": "torch_defaults"}
RUNTIME_VARS = re.compile(r"^(MALLOC_\w+|GLIBC_TUNABLES|GOMP_SPINCOUNT)$")


def allocator_settings(facex):
    """bin/facex's glibc malloc settings (one arena, no mmap, no trim, no small-block caches) and libgomp's spin count,
    for PyTorch's like-for-like run; a setting already in the environment wins, as it does for bin/facex."""
    env = {}
    try:
        with open(facex) as f:
            for name, value in re.findall(r"export (MALLOC_\w+|GLIBC_TUNABLES|GOMP_SPINCOUNT)=\$\{\w+:-([^}]*)\}", f.read()):
                env[name] = os.environ.get(name, value)
    except OSError:
        pass
    return env


def torch_env(baseline, facex_settings):
    """The whole environment of a PyTorch run: ours plus bin/facex's settings, or ours without any malloc
    setting at all (glibc's and libgomp's defaults, as `python3 train.py` runs for a FaceX-Zoo user)."""
    clean = {k: v for k, v in os.environ.items() if not RUNTIME_VARS.match(k)}
    return {**clean, **facex_settings} if baseline == "facex" else clean


def run_torch(python, backbone, kind, batch, threads, classes, warmup, reps, env):
    cmd = [python, os.path.join(HERE, "torch_reference.py"), kind, "--backbone", backbone, "--batch", str(batch),
           "--threads", str(threads),
           "--classes", str(classes), "--warmup", str(warmup), "--reps", str(reps)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    r = json.loads(line)
    if "skipped" in r:
        return None
    if out.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(cmd), out.returncode, out.stdout, out.stderr))
    return r["median"], r["peak_rss_mb"]


def torch_available(python):
    r = subprocess.run([python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def measure(args, cases, torch_version, progress):
    """cases: (kind, batch, threads). Per case: our images/s and peak MB and PyTorch's under each baseline
    ("torch": bin/facex's allocator, "torch_defaults": glibc's), one per round."""
    settings = allocator_settings(args.facex)
    runners = ["ours"] + ([BASELINES[b] for b in args.baselines] if torch_version else [])
    baseline_of = {who: b for b, who in BASELINES.items()}
    results = {c: {k: [] for who in ["ours", *BASELINES.values()] for k in (who, who + "_mb")} for c in cases}
    total = len(cases) * args.rounds * len(runners)
    done = 0
    for r in range(args.rounds):
        for case in cases:
            kind, batch, threads = case
            # each runner goes first in turn, so drift on a shared machine hits all alike
            order = runners[r % len(runners):] + runners[:r % len(runners)]
            for who in order:
                if who == "ours":
                    ips, mb = run_ours(args.facex, kind, batch, threads, args.classes, args.warmup, args.reps,
                                       ["--backbone", args.backbone] + (["--fold", "true"] if kind == "infer" else []))
                else:
                    # from image files: ours decodes and embeds, PyTorch's forward pass alone is the yardstick
                    ips, mb = run_torch(args.python, args.backbone, "infer" if kind == "extract" else kind, batch,
                                        threads, args.classes, args.warmup, args.reps,
                                        torch_env(baseline_of[who], settings))
                results[case][who].append(ips)
                results[case][who + "_mb"].append(mb)
                done += 1
                progress(done, total, "round %d/%d %s %s batch %d, %d threads: %.1f images/s"
                         % (r + 1, args.rounds, who, kind, batch, threads, ips))
    return results


def med(values):
    return statistics.median(values) if values else None


def table(results, torch_version, backbone):
    # the like-for-like columns first; the glibc-defaults baseline follows
    header = ["measurement", "batch", "threads", "PyTorch images/s", "ours images/s", "ratio (ours / PyTorch)",
              "PyTorch peak MB", "ours peak MB", "memory ratio",
              "PyTorch images/s, glibc defaults", "ratio, glibc defaults", "PyTorch peak MB, glibc defaults",
              "memory ratio, glibc defaults"]
    rows = []
    for (kind, batch, threads), v in results.items():
        t, o = med(v["torch"]), med(v["ours"])
        tm, om = med(v["torch_mb"]), med(v["ours_mb"])
        name = {"train": "training step, %s + MV-Softmax", "infer": "forward pass, %s (eval)",
                "extract": "image files to features, %s (ours: OpenCV decoding included; PyTorch: forward pass)"}[kind] % backbone
        d, dm = med(v["torch_defaults"]), med(v["torch_defaults_mb"])
        rows.append([name, batch, threads, fmt(t), fmt(o), ratio(o, t), fmt(tm, 0), fmt(om, 0), ratio(om, tm),
                     fmt(d), ratio(o, d), fmt(dm, 0), ratio(om, dm)])
    return header, rows


def fmt(v, digits=1):
    return "n/a" if v is None else ("%." + str(digits) + "f") % v


def ratio(a, b):
    return "n/a" if a is None or b is None else "%.2f" % (a / b)


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def plot(results, path, torch_version, backbone):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, kind, title in ((axes[0], "train", "training step (%s + MV-Softmax)" % backbone),
                            (axes[1], "infer", "forward pass (%s, eval)" % backbone)):
        threads = sorted({t for (k, b, t) in results if k == kind})
        for t in threads:
            batches = sorted(b for (k, b, tt) in results if k == kind and tt == t)
            for who, style, name in (("ours", "-o", "FaceX-J"), ("torch", "--s", "PyTorch " + torch_version),
                                     ("torch_defaults", ":^", "PyTorch " + torch_version + ", glibc defaults")):
                ys = [med(results[(kind, b, t)][who]) for b in batches]
                if all(y is not None for y in ys):
                    ax.plot(batches, ys, style, label="%s, %d thread%s" % (name, t, "" if t == 1 else "s"))
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted({b for (k, b, t) in results if k == kind}))
        ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("batch size")
        ax.set_ylabel("images/s")
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--facex", default=os.path.join(HERE, "..", "..", "assembly", "target", "facex", "bin", "facex"),
                   help="the facex launcher (default: the built distribution)")
    p.add_argument("--python", default="/usr/bin/python3", help="the Python with torch (Debian's python3-torch)")
    p.add_argument("--backbone", default="MobileFaceNet", help="MobileFaceNet or a ResNet preset (IR-50, IR-SE-152, ...)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="threads for both sides (the comparison table)")
    p.add_argument("--classes", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--train-batches", default="32,64")
    p.add_argument("--infer-batches", default="32")
    p.add_argument("--extract-batches", default="32", help="batches of `facex bench extract` (files to features) against "
                   "PyTorch's forward pass; empty for none")
    p.add_argument("--baselines", default="facex,defaults",
                   help="PyTorch's allocator settings, comma-separated: facex (bin/facex's, like for like), "
                        "defaults (glibc's, as FaceX-Zoo runs)")
    p.add_argument("--scaling", action="store_true", help="measure over --batches x --threads-list instead, and plot")
    p.add_argument("--batches", default="16,32,64,128")
    p.add_argument("--threads-list", default="1,2")
    p.add_argument("--out", default="vs-pytorch", help="folder for the table (md, csv, json) and the plot")
    p.add_argument("--replot", metavar="SCALING_JSON",
                   help="draw scaling.png into --out from a scaling.json measured earlier (say, where matplotlib was missing)")
    args = p.parse_args()
    if args.replot:
        keys = ("kind", "batch", "threads")
        try:
            with open(args.replot) as f:
                saved = json.load(f)
            results = {tuple(r[k] for k in keys): {k: v for k, v in r.items() if k not in keys} for r in saved["runs"]}
        except OSError as e:
            p.error("--replot: cannot read %s: %s" % (args.replot, e.strerror))
        except (ValueError, KeyError, TypeError) as e:
            p.error("--replot: %s is not a scaling.json written by this script (%s)" % (args.replot, e))
        os.makedirs(args.out, exist_ok=True)
        png = os.path.join(args.out, "scaling.png")
        if not plot(results, png, saved.get("pytorch") or "", args.backbone):
            sys.exit("no plot: matplotlib is not installed")
        print("plot: " + png)
        return
    args.baselines = [b for b in args.baselines.split(",") if b]
    unknown = [b for b in args.baselines if b not in BASELINES]
    if unknown or not args.baselines:
        p.error("--baselines: %s; choose from %s" % (",".join(unknown) or "empty", ",".join(BASELINES)))

    torch_version = torch_available(args.python)
    env = allocator_settings(args.facex)
    if env and "facex" in args.baselines:
        print("PyTorch runs with bin/facex's allocator settings: " + " ".join("%s=%s" % kv for kv in sorted(env.items())))
    if "defaults" in args.baselines:
        print("and again with glibc's defaults (no MALLOC_*, GLIBC_TUNABLES or GOMP_SPINCOUNT), as FaceX-Zoo's users run it")
    if not torch_version:
        print("PyTorch is not available to %s (Debian: apt-get install python3-torch): measuring ours only" % args.python)
    if args.scaling:
        batches = [int(b) for b in args.batches.split(",")]
        cases = [(k, b, t) for k in ("train", "infer") for t in (int(x) for x in args.threads_list.split(",")) for b in batches]
    else:
        cases = [("train", int(b), args.threads) for b in args.train_batches.split(",") if b]
        cases += [("infer", int(b), args.threads) for b in args.infer_batches.split(",") if b]
        cases += [("extract", int(b), args.threads) for b in args.extract_batches.split(",") if b]

    def progress(done, total, what):
        width = 30
        bar = "=" * (width * done // total)
        print("[%-*s] %d/%d %s" % (width, bar, done, total, what), flush=True)

    results = measure(args, cases, torch_version, progress)
    header, rows = table(results, torch_version, args.backbone)
    os.makedirs(args.out, exist_ok=True)
    name = "scaling" if args.scaling else "vs-pytorch"
    md = markdown(header, rows)
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, name + ".csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump({"pytorch": torch_version, "rounds": args.rounds, "classes": args.classes, "baselines": args.baselines,
                   "facex_memory": os.environ.get("FACEX_MEMORY", ""),
                   "runs": [{"kind": k, "batch": b, "threads": t, **v} for (k, b, t), v in results.items()]}, f, indent=1)
    print()
    print(md, end="")
    print("medians over %d rounds of each process's median of %d timed steps after %d warm-up; %s%s"
          % (args.rounds, args.reps, args.warmup, "PyTorch " + torch_version if torch_version else "no PyTorch",
             "; ours with FACEX_MEMORY=" + os.environ["FACEX_MEMORY"] if os.environ.get("FACEX_MEMORY") else ""))
    if args.scaling:
        png = os.path.join(args.out, "scaling.png")
        print("plot: " + png if plot(results, png, torch_version or "", args.backbone) else "no plot: matplotlib is not installed")
    print("tables: " + os.path.join(args.out, name + ".{md,csv,json}"))


if __name__ == "__main__":
    main()
