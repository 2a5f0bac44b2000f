#!/usr/bin/env python3
"""Peer side of the harbour-pdq benchmark: Meta's PDQ via PyPI `pdqhash` and
faiss (`faiss-cpu`) IndexBinaryFlat / IndexBinaryMultiHash, on the exact data
the Rust side used. Run by run.sh; see docs/pdq.md."""

import json
import os
import sys
import time

import numpy as np


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def vec_to_hex(vec):
    # pdqhash returns bits reversed: vec[i] is bit 255 - i; hex is word 15 first.
    bits = [int(vec[255 - k]) for k in range(256)]
    words = [sum(bits[w * 16 + j] << j for j in range(16)) for w in range(16)]
    return "".join("%04x" % words[w] for w in range(15, -1, -1))


def load_rgb(d):
    out = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".rgb"):
            continue
        b = open(os.path.join(d, name), "rb").read()
        w = int.from_bytes(b[0:4], "little")
        h = int.from_bytes(b[4:8], "little")
        arr = np.frombuffer(b[8:], dtype=np.uint8).reshape(h, w, 3).copy()
        out.append((name, arr))
    return out


def hash_bench(d, seconds):
    import pdqhash

    imgs = load_rgb(d)
    hashes = []
    for name, arr in imgs:
        vec, q = pdqhash.compute(arr)
        hashes.append({"file": name, "hash": vec_to_hex(vec), "quality": int(q)})
    t0 = time.perf_counter()
    n = 0
    pixels = 0
    while time.perf_counter() - t0 < seconds:
        for _, arr in imgs:
            pdqhash.compute(arr)
            n += 1
            pixels += arr.shape[0] * arr.shape[1]
    dt = time.perf_counter() - t0
    print(json.dumps({"throughput": {"full": {"images_per_s": n / dt, "megapixels_per_s": pixels / dt / 1e6, "images": n}}, "hashes": hashes}))


def match_bench(d, max_d):
    import faiss

    faiss.omp_set_num_threads(1)  # per-core comparison, like the Rust side
    db = np.fromfile(os.path.join(d, "db.bin"), dtype=np.uint8).reshape(-1, 32)
    qs = np.fromfile(os.path.join(d, "queries.bin"), dtype=np.uint8).reshape(-1, 32)
    nq = qs.shape[0] // 8
    truth = np.fromfile(os.path.join(d, "truth_pairs.bin"), dtype=np.uint32).reshape(-1, 3)
    truth_set = set(map(tuple, truth.tolist()))
    report = {"n": int(db.shape[0]), "queries": nq, "distance": max_d}

    def run(name, make):
        r0 = rss_kib()
        t0 = time.perf_counter()
        index = make()
        index.add(db)
        build = time.perf_counter() - t0
        rss = rss_kib() - r0
        t0 = time.perf_counter()
        # faiss' binary range search keeps distances < radius, so radius = d + 1.
        lims, D, I = index.range_search(qs, max_d + 1)
        dt = time.perf_counter() - t0
        best = {}
        for v in range(qs.shape[0]):
            q = v // 8
            for j in range(lims[v], lims[v + 1]):
                dist = int(D[j])
                if dist <= max_d:
                    key = (q, int(I[j]))
                    if key not in best or dist < best[key]:
                        best[key] = dist
        got = set((q, i, dd) for (q, i), dd in best.items())
        recall = len(got & truth_set) / len(truth_set) if truth_set else 1.0
        report[name] = {
            "build_s": build,
            "queries_per_s": nq / dt,
            "pairs": len(got),
            "recall": recall,
            "identical_to_truth": got == truth_set,
            "rss_delta_kib": rss,
        }
        del index

    run("faiss_flat", lambda: faiss.IndexBinaryFlat(256))

    def mh():
        # As Meta's HMA: 16 hash tables of 16 bits, nflip = d // 16 (exact by pigeonhole).
        ix = faiss.IndexBinaryMultiHash(256, 16, 16)
        ix.nflip = max_d // 16
        return ix

    run("faiss_multihash", mh)
    print(json.dumps(report))


def report(out_dir):
    """Markdown table from the four JSON files of one run."""
    rh = json.load(open(os.path.join(out_dir, "rust_hash.json")))
    ph = json.load(open(os.path.join(out_dir, "peer_hash.json")))
    lines = []
    same_pixels = [a["hash"] == b for a, b in zip(ph["hashes"], rh["hashes_numpy_luma"])]
    dists = [bin(int(a["hash"], 16) ^ int(b["hash"], 16)).count("1") for a, b in zip(ph["hashes"], rh["hashes"])]
    r = rh["throughput"]["full"]["images_per_s"]
    p = ph["throughput"]["full"]["images_per_s"]
    lines.append("### Hashing (single thread, same decoded pixels, full resolution)\n")
    lines.append("| implementation | images/s | megapixels/s | ratio vs pdqhash |")
    lines.append("|---|---|---|---|")
    lines.append("| pdqhash (PyPI, Meta C++ via Cython) | %.1f | %.1f | 1.00 |" % (p, ph["throughput"]["full"]["megapixels_per_s"]))
    lines.append("| harbour-pdq | %.1f | %.1f | %.2f |" % (r, rh["throughput"]["full"]["megapixels_per_s"], r / p))
    pre = rh["throughput"]["preshrink512"]
    lines.append("| harbour-pdq, reference file pipeline (512 pre-shrink) | %.1f | %.1f | %.2f |" % (pre["images_per_s"], pre["megapixels_per_s"], pre["images_per_s"] / p))
    lines.append("")
    lines.append("Cross-check on %d images: with pdqhash's float64-then-f32 luma, harbour-pdq's hashes are identical for %d/%d; with the reference CLI's f32 luma, Hamming distance to pdqhash: max %d, sum %d." % (len(dists), sum(same_pixels), len(same_pixels), max(dists), sum(dists)))
    lines.append("")
    for tag in sorted(f for f in os.listdir(out_dir) if f.startswith("rust_match_")):
        n = tag[len("rust_match_"):-len(".json")]
        rm = json.load(open(os.path.join(out_dir, tag)))
        pm = json.load(open(os.path.join(out_dir, "peer_match_%s.json" % n)))
        base = pm["faiss_flat"]["queries_per_s"]
        lines.append("### Matching: %s hashes, %d queries x 8 dihedral variants, distance <= %d (single thread)\n" % (format(rm["n"], ","), rm["queries"], rm["distance"]))
        lines.append("Ground truth: independent brute force over %d queries, %d pairs." % (rm["truth"]["queries"], rm["truth"]["pairs"]))
        lines.append("")
        lines.append("| index | queries/s | ratio vs faiss flat | ratio vs faiss multihash | build s | memory | recall | identical to truth |")
        lines.append("|---|---|---|---|---|---|---|---|")
        mh = pm["faiss_multihash"]["queries_per_s"]
        for name, row, mem in [
            ("faiss IndexBinaryFlat", pm["faiss_flat"], "%.0f MiB RSS" % (pm["faiss_flat"]["rss_delta_kib"] / 1024)),
            ("faiss IndexBinaryMultiHash (16x16, nflip=%d)" % (rm["distance"] // 16), pm["faiss_multihash"], "%.0f MiB RSS" % (pm["faiss_multihash"]["rss_delta_kib"] / 1024)),
            ("harbour-pdq linear scan", rm["linear"], "%.0f MiB (%.0f MiB RSS)" % (rm["linear"]["index_bytes"] / 2**20, rm["linear"]["rss_delta_kib"] / 1024)),
            ("harbour-pdq linear scan, 16 queries per pass", rm["linear_batch16"], "same as above"),
            ("harbour-pdq MIH (%d substrings)" % rm["mih"]["substrings"], rm["mih"], "%.0f MiB (%.0f MiB RSS)" % (rm["mih"]["index_bytes"] / 2**20, rm["mih"]["rss_delta_kib"] / 1024)),
        ]:
            lines.append("| %s | %.1f | %.2f | %.2f | %.2f | %s | %.4f | %s |" % (name, row["queries_per_s"], row["queries_per_s"] / base, row["queries_per_s"] / mh, row["build_s"], mem, row["recall"], row["identical_to_truth"]))
        lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "hash-bench":
        hash_bench(sys.argv[2], float(sys.argv[3]))
    elif cmd == "match-bench":
        match_bench(sys.argv[2], int(sys.argv[3]))
    elif cmd == "report":
        report(sys.argv[2])
    else:
        sys.exit("unknown command " + cmd)
