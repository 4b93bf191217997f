#!/usr/bin/env python3
"""Markdown tables for BENCHMARKS.md from the JSON lines the bench scripts append (one record per RESULT).

    python3 scripts/bench/tables.py work/bench/final.jsonl [more.jsonl ...]

Medians of repeated records of the same (impl, workload, extra keys) are reported as such, with their count.
"""
import json
import statistics
import sys
from collections import defaultdict

MIB = 1 << 20


def load(paths):
    rows = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            rows.extend(json.loads(line) for line in f if line.strip())
    return rows


def fmt(x, digits=2):
    return "—" if x is None else (f"{x:.{digits}f}" if isinstance(x, float) else str(x))


def training(rows):
    groups = defaultdict(list)
    for r in rows:
        if r.get("workload", "").endswith("train") or "train-" in r.get("workload", ""):
            if "median_s" in r:
                key = (r["workload"], r["impl"], r.get("partitions", ""), r.get("threads"))
                groups[key].append(r)
    print("| workload | implementation | partitions | threads | runs | step s (median) | min–max s | tokens/s |")
    print("|---|---|---|---|---|---|---|---|")
    for (w, impl, parts, threads), rs in sorted(groups.items()):
        med = statistics.median(r["median_s"] for r in rs)
        lo = min(r["min_s"] for r in rs)
        hi = max(r["max_s"] for r in rs)
        runs = sum(r["runs"] for r in rs)
        tps = r_tokens(rs[0]) / med
        print(f"| {w} | {impl} | {parts or '—'} | {threads} | {runs} | {med:.2f} | {lo:.2f}–{hi:.2f} | {tps:.0f} |")


def r_tokens(r):
    return r.get("tokens_per_step") or (1024 if r["workload"].startswith("gpt2") else 4096)


def spark(rows):
    print("| workload | implementation | step s | compute s | overhead | bytes/step/executor | LoRA bytes | "
          "broadcast bytes (blocks) | RSS before model MiB | RSS after model MiB | peak RSS MiB | weights MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "overhead_fraction" not in r:
            continue
        before = r.get("executor_rss_before_build_bytes")
        print(f"| {r['workload']} | {r['impl']} | {r['median_s']:.2f} | {r['compute_median_s']:.2f} | "
              f"{100 * r['overhead_fraction']:.1f}% | {r['bytes_per_step_per_executor_max']:,} | {r['trainable_bytes']:,} | "
              f"{r['broadcast_serialized_bytes']:,} ({r.get('broadcast_blocks', '—')}) | "
              f"{fmt(before and before / MIB, 0)} | {r['executor_rss_after_build_bytes'] / MIB:.0f} | "
              f"{r['executor_peak_rss_bytes'] / MIB:.0f} | {r['weight_bytes'] / MIB:.0f} |")


def generation(rows):
    print("| workload | implementation | threads | runs | seconds for 32 tokens (median) | tokens/s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        if "gen-beam" in r.get("workload", ""):
            print(f"| {r['workload']} | {r['impl']} | {r['threads']} | {r['runs']} | {r['median_s']:.2f} | {r['tokens_per_s']:.1f} |")


if __name__ == "__main__":
    rows = load(sys.argv[1:])
    print("### Training steps\n")
    training(rows)
    print("\n### Spark runs\n")
    spark(rows)
    print("\n### Generation\n")
    generation(rows)
