"""Collect the results of run.sh into results.json and a markdown summary."""
import json
import os
import sys

out = sys.argv[1]


def j(name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        txt = f.read().strip()
    if not txt:
        # A run that failed or was cut short leaves an empty file.
        return {}
    try:
        d = json.loads(txt)
    except json.JSONDecodeError:
        # /usr/bin/time may prefix "Command exited with non-zero status".
        d = json.loads(txt.splitlines()[-1])
    if "user_s" in d:
        d["cpu_s"] = d["user_s"] + d["sys_s"]
    return d


res = {"machine": open(os.path.join(out, "machine.txt")).read().strip()}
lines = [f"Machine: {res['machine']}", ""]
lines.append("| data set | tool | precision | recall | F1 @0.5 | best F1 | pairs completeness | candidates | wall s | CPU s | peak MB |")
lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
for ds in ["febrl3", "febrl4"]:
    s_time, h_time = j(f"{ds}-splink.time"), j(f"{ds}-harbour.time")
    s, h, ha = j(f"{ds}-splink.score"), j(f"{ds}-harbour.score"), j(f"{ds}-harbour-all.score")
    res[ds] = {"splink": {**s, **s_time, **j(f"{ds}-splink.json")}, "harbour": {**h, **h_time, "pairs_completeness": ha.get("pairs_completeness"), "candidates": ha.get("candidates"), "best_f1": ha.get("best_f1")}}
    for tool in ["splink", "harbour"]:
        r = res[ds][tool]
        lines.append(
            f"| {ds} | {tool} | {r.get('precision', 0):.4f} | {r.get('recall', 0):.4f} | {r.get('f1', 0):.4f} | {r.get('best_f1', 0):.4f} | "
            f"{r.get('pairs_completeness', 0):.4f} | {r.get('candidates', 0)} | {r.get('wall_s', 0):.2f} | {r.get('cpu_s', 0):.2f} | {r.get('peak_rss_kb', 0) / 1024:.0f} |"
        )
    sp, hb = res[ds]["splink"], res[ds]["harbour"]
    if sp.get("wall_s") and hb.get("wall_s"):
        lines.append(f"| {ds} | Harbour / Splink | | | {hb.get('f1', 0) / max(sp.get('f1', 1e-9), 1e-9):.4f}x | | | | {hb['wall_s'] / sp['wall_s']:.3f}x | {hb.get('cpu_s', 0) / max(sp.get('cpu_s', 1e-9), 1e-9):.3f}x | {hb['peak_rss_kb'] / sp['peak_rss_kb']:.3f}x |")
lines.append("")
ua, uas = j("uatrace10k.json"), j("uatrace10k-splink.json")
res["uatrace10k"] = {"harbour_primero": ua, "splink": {**uas, **j("uatrace10k-splink.time")}, "harbour_time": j("uatrace10k-harbour.time")}
lines.append(f"UA-trace: {ua.get('children')} children, {ua.get('requests')} requests, seed {ua.get('seed')}")
lines.append("")
lines.append("| tool | recall@1 | recall@5 | recall@10 | recall@20 | MRR | pairs completeness | candidates scored / request | shown / request |")
lines.append("|---|---|---|---|---|---|---|---|---|")
rows = [("harbour", ua.get("harbour", {}) | {"pairs_completeness": ua.get("pairs_completeness")}), ("primero-like", ua.get("primero") or {}), ("splink", uas)]
for name, r in rows:
    pc = r.get("pairs_completeness")
    lines.append(
        f"| {name} | {r.get('recall_at_1', 0):.3f} | {r.get('recall_at_5', 0):.3f} | {r.get('recall_at_10', 0):.3f} | {r.get('recall_at_20', 0):.3f} | "
        f"{r.get('mrr', 0):.3f} | {'' if pc is None else f'{pc:.3f}'} | {r.get('candidates_scored', 0):.1f} | {r.get('candidates_shown', 0):.2f} |"
    )
h10 = ua.get("harbour", {}).get("recall_at_10", 0)
lines.append("")
lines.append(
    f"recall@10 ratio: Harbour / Primero-like = {h10 / max((ua.get('primero') or {}).get('recall_at_10', 1e-9), 1e-9):.2f}x, "
    f"Harbour / Splink = {h10 / max(uas.get('recall_at_10', 1e-9), 1e-9):.2f}x"
)
m = j("uatrace1m.json")
if m:
    res["uatrace1m"] = {**m, "process": j("uatrace1m.time")}
    hm = m.get("harbour", {})
    lines.append("")
    lines.append(
        f"UA-trace 1M: {m.get('children')} children indexed in {m.get('index_build_s', 0):.1f} s (prepare {m.get('prepare_s', 0):.1f} s); "
        f"single query p50 {hm.get('query_ms_p50', 0):.2f} ms, p95 {hm.get('query_ms_p95', 0):.2f} ms, max {hm.get('query_ms_max', 0):.2f} ms; "
        f"recall@10 {hm.get('recall_at_10', 0):.3f}, MRR {hm.get('mrr', 0):.3f}, {hm.get('candidates_scored', 0):.0f} candidates scored per request; "
        f"peak RSS {res['uatrace1m']['process'].get('peak_rss_kb', 0) / 1048576:.1f} GiB"
    )
ms = j("uatrace1m-splink.json")
if ms:
    res["uatrace1m"]["splink"] = {**ms, **j("uatrace1m-splink.time")}
    hm = m.get("harbour", {})
    lines.append("")
    lines.append("| UA-trace 1M | recall@1 | recall@5 | recall@10 | recall@20 | MRR | pairs completeness | candidates scored / request | process wall s | peak MB |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, r, t, pc in [("harbour", hm, res["uatrace1m"]["process"], m.get("pairs_completeness")), ("splink", ms, res["uatrace1m"]["splink"], ms.get("pairs_completeness"))]:
        lines.append(
            f"| {name} | {r.get('recall_at_1', 0):.3f} | {r.get('recall_at_5', 0):.3f} | {r.get('recall_at_10', 0):.3f} | {r.get('recall_at_20', 0):.3f} | "
            f"{r.get('mrr', 0):.3f} | {pc if pc is None else round(pc, 3)} | {r.get('candidates_scored', 0):.0f} | {t.get('wall_s', 0):.1f} | {t.get('peak_rss_kb', 0) / 1024:.0f} |"
        )
    lines.append(f"recall@10 ratio at 1M: Harbour / Splink = {hm.get('recall_at_10', 0) / max(ms.get('recall_at_10', 1e-9), 1e-9):.2f}x")

# Scale: the same UA-trace requests against 1M and 10M children, and 1M
# with the matcher as of BEFORE_REV, all from this run.
scale = []
for key, name in [("uatrace1m-before", "1M, before"), ("uatrace1m", "1M"), ("uatrace10m", "10M")]:
    r = j(f"{key}.json")
    if r:
        r = {**r, "process": j(f"{key}.time")}
        res[key] = {**res.get(key, {}), **r}
        scale.append((name, r))
for key in ["uatrace1m-memory", "uatrace10m-memory"]:
    r = j(f"{key}.json")
    if r:
        res[key] = {**r, "process": j(f"{key}.time")}
def cpu_ms(r):
    v = r.get("query_cpu_ms_per_request")
    return "" if v is None else f"{v:.2f}"


if scale:
    rev = open(os.path.join(out, "before-rev.txt")).read().strip() if os.path.exists(os.path.join(out, "before-rev.txt")) else ""
    lines.append("")
    lines.append(f"UA-trace scale (Harbour; 'before' = harbour-match at {rev or 'n/a'})")
    lines.append("")
    lines.append("| run | children | recall@1 | recall@5 | recall@10 | MRR | candidates / request | query p50 ms | query p95 ms | query CPU ms / request | prepare s | index s | training s | process wall s | CPU s | peak MB |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in scale:
        h, t = r.get("harbour", {}), r["process"]
        lines.append(
            f"| {name} | {r.get('children')} | {h.get('recall_at_1', 0):.3f} | {h.get('recall_at_5', 0):.3f} | {h.get('recall_at_10', 0):.3f} | {h.get('mrr', 0):.3f} | "
            f"{h.get('candidates_scored', 0):.0f} | {h.get('query_ms_p50', 0):.2f} | {h.get('query_ms_p95', 0):.2f} | {cpu_ms(r)} | {r.get('prepare_s', 0):.1f} | {r.get('index_build_s', 0):.1f} | "
            f"{r.get('training_s', 0):.1f} | {t.get('wall_s', 0):.1f} | {t.get('cpu_s', 0):.1f} | {t.get('peak_rss_kb', 0) / 1024:.0f} |"
        )
    by = dict(scale)

    def ratio(x, y, name):
        if x in by and y in by:
            a, b = by[x], by[y]
            ha, hb = a.get("harbour", {}), b.get("harbour", {})
            ta, tb = a["process"], b["process"]
            q = lambda u, v: f"{u / v:.2f}x" if v else ""
            lines.append(
                f"| {name} | | | | {q(ha.get('recall_at_10', 0), hb.get('recall_at_10', 0))} | {q(ha.get('mrr', 0), hb.get('mrr', 0))} | "
                f"{q(ha.get('candidates_scored', 0), hb.get('candidates_scored', 0))} | {q(ha.get('query_ms_p50', 0), hb.get('query_ms_p50', 0))} | "
                f"{q(ha.get('query_ms_p95', 0), hb.get('query_ms_p95', 0))} | {q(a.get('query_cpu_ms_per_request', 0), b.get('query_cpu_ms_per_request', 0))} | | | | {q(ta.get('wall_s', 0), tb.get('wall_s', 0))} | "
                f"{q(ta.get('cpu_s', 0), tb.get('cpu_s', 0))} | {q(ta.get('peak_rss_kb', 0), tb.get('peak_rss_kb', 0))} |"
            )

    ratio("1M", "1M, before", "1M: after / before")
    ratio("10M", "1M", "10M / 1M")
    for key in ["uatrace1m-memory", "uatrace10m-memory"]:
        r = res.get(key)
        if r:
            parts = r.get("index_parts", {})
            lines.append("")
            lines.append(
                f"{key}: index alone {r.get('index_alone_mb', 0):.0f} MB ({r.get('index_bytes_per_child', 0):.0f} bytes per child; "
                + ", ".join(f"{k[:-6]} {v / 1e6:.0f} MB" for k, v in sorted(parts.items()) if k.endswith("_bytes"))
                + f"); {parts.get('blocking_keys')} blocking keys, {parts.get('postings')} postings, {parts.get('distinct_names')} distinct names; "
                f"size_of Prepared {r.get('size_of_prepared')} bytes; process peak {r['process'].get('peak_rss_kb', 0) / 1024:.0f} MB"
            )
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(res, f, indent=1)
print("\n".join(lines))
