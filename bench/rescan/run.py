#!/usr/bin/env python3
"""Re-scan on new vulnerability data (issue 15), one command: bash bench/rescan/run.sh

1. Full scans: every image of ../shared/corpus/debian-rootfs (or the bundled sample when the corpus
   is absent) uploaded as a release and scanned with an "old" vulnerability database
   (records 0-29 of the NVD snapshot bundled with Assay).
2. The database is replaced by a "new" one (the whole snapshot) and POST /api/v1/admin/vulndb/rescan
   re-matches every release: the vulnerability step alone on the stored evaluation.
3. A webhook receiver (loopback, signatures verified) counts scan.completed and findings.changed.
Prints per-image full-scan and re-match times (the stages' own start/finish), the speed-up, and the
delay from a commit to its webhook. Exits 1 when a re-match is not at least 3x faster than the full
scan in total, a delivery is missing or a signature does not verify. Loopback only; loops bounded.
"""
import gzip, hashlib, hmac, http.server, json, os, pathlib, shutil, statistics, subprocess, sys, tempfile, threading, time, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labclient  # noqa: E402  (bench/lib)
from datetime import datetime

ROOT = pathlib.Path(__file__).resolve().parents[2]
ASSAY = os.environ.get("ASSAY", str(ROOT / "assay"))
SHARED = pathlib.Path(os.environ.get("ASSAY_SHARED", str(ROOT.parent / "shared")))
PORT = int(os.environ.get("ASSAY_BENCH_PORT", "18191"))
HOOK_PORT = PORT + 1
BASE = f"http://127.0.0.1:{PORT}"
failures = []
received = []   # (event, delivery id, body dict, receive time, signature ok)


def request(method, path, key=None, body=None, headers=None, timeout=600):
    return labclient.request(BASE, method, path, key, body, headers, timeout)


def verify(secret, header, body, tolerance=300):
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts["v1"]) and abs(time.time() - int(parts["t"])) <= tolerance


def receiver(secret_box):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify(secret_box[0], self.headers["X-Assay-Signature"], body)
            received.append((self.headers["X-Assay-Event"], self.headers["X-Assay-Delivery"], json.loads(body), time.time(), ok))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def seconds(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def wait_scans(key, ids, limit=3600):
    until, done = time.time() + limit, {}
    while len(done) < len(ids) and time.time() < until:
        for i in ids:
            if i not in done:
                scan = request("GET", f"/api/v1/scans/{i}", key)[1]
                if scan["status"] in ("succeeded", "failed", "cancelled"):
                    done[i] = scan
        time.sleep(0.5)
    return done


def scan_seconds(scan):
    return seconds(scan["finishedAt"]) - seconds(scan["startedAt"])


def stage_seconds(scan):
    first = scan["stages"][0]
    return seconds(first["finishedAt"]) - seconds(first["startedAt"])


def main():
    work = tempfile.mkdtemp(prefix="assay-bench-rescan-")
    snapshot = ROOT / "src" / "Assay.Vulnerabilities" / "Data" / "snapshot"
    lines = gzip.open(snapshot / "nvd.jsonl.gz", "rt").read().splitlines()
    old_feed, new_feed = os.path.join(work, "old.jsonl"), os.path.join(work, "new.jsonl")
    open(old_feed, "w").write("\n".join(lines[:30]) + "\n")
    open(new_feed, "w").write("\n".join(lines) + "\n")
    live, new_db = os.path.join(work, "live.db"), os.path.join(work, "new.db")
    subprocess.run([ASSAY, "db", "import", old_feed, "--db", live], check=True, capture_output=True)
    subprocess.run([ASSAY, "db", "import", new_feed, str(snapshot / "kev.json"), "--db", new_db], check=True, capture_output=True)
    images = sorted((SHARED / "corpus" / "debian-rootfs").glob("*")) if (SHARED / "corpus" / "debian-rootfs").is_dir() else [ROOT / "samples" / "delivery-EX1000_1.2.0.zip"]
    data = os.path.join(work, "data")
    boot = subprocess.run([ASSAY, "admin", "bootstrap", "--data", data], capture_output=True, text=True, check=True)
    system = boot.stdout.strip().split()[-1]
    secret_box = [""]
    hooks = receiver(secret_box)
    server = subprocess.Popen([ASSAY, "serve", "--data", data, "--urls", BASE, "--workers", "1", "--vuln-db", live, "--allow-private-webhooks"], stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        tenant = request("POST", "/api/v1/tenants", system, {"name": "bench"})[1]["id"]
        key = request("POST", "/api/v1/api-keys", system, {"tenantId": tenant, "role": "admin", "name": "bench"})[1]["key"]
        hook = request("POST", "/api/v1/webhooks", key, {"url": f"http://127.0.0.1:{HOOK_PORT}/hook", "events": ["scan.completed", "findings.changed"]})[1]
        secret_box[0] = hook["secret"]
        project = request("POST", "/api/v1/projects", key, {"name": "rescan", "vendor": "bench"})[1]["id"]
        scans = {}
        for image in images:
            release = request("POST", f"/api/v1/projects/{project}/releases", key, {"version": image.name})[1]["id"]
            with open(image, "rb") as f:
                request("PUT", f"/api/v1/releases/{release}/delivery", key, f.read(), {"Content-Disposition": f'attachment; filename="{image.name}"'})
            scans[request("POST", f"/api/v1/releases/{release}/scans", key, {})[1]["id"]] = image.name
        full = wait_scans(key, list(scans))
        # Swap the database as 'assay db update' does (one rename), then ask for the re-match.
        shutil.copy(new_db, live + ".tmp")
        os.replace(live + ".tmp", live)
        t0 = time.time()
        plan = request("POST", "/api/v1/admin/vulndb/rescan", system, {})[1]
        rematches = wait_scans(key, plan["scans"])
        wall = time.time() - t0
        by_base = {s["baseScanId"]: s for s in rematches.values()}
        print(f"{'image':32} {'evaluate s':>10} {'rematch s':>9} {'speed-up':>8} {'scan s':>7} {'re-match scan s':>15} {'introduced':>10} {'resolved':>8}")
        print(f"{'':32} {'(stage)':>10} {'(stage)':>9} {'':>8} {'(all stages incl. index)':>24}")
        full_total = rematch_total = full_scans = rematch_scans = 0.0
        for scan_id, name in scans.items():
            f, r = full[scan_id], by_base.get(scan_id)
            if f["status"] != "succeeded" or r is None or r["status"] != "succeeded":
                failures.append(f"{name}: scan {f['status']}, re-match {None if r is None else r['status']}")
                continue
            fs, rs = stage_seconds(f), stage_seconds(r)
            full_total += fs
            rematch_total += rs
            full_scans += scan_seconds(f)
            rematch_scans += scan_seconds(r)
            changes = request("GET", f"/api/v1/scans/{r['id']}/changes", key)[1]
            print(f"{name:32} {fs:10.2f} {rs:9.2f} {fs / max(rs, 1e-3):7.0f}x {scan_seconds(f):7.2f} {scan_seconds(r):15.2f} {changes['introduced']:10} {changes['resolved']:8}")
        print(f"total: evaluate {full_total:.1f} s vs rematch {rematch_total:.1f} s; whole scans {full_scans:.1f} s vs whole re-match scans {rematch_scans:.1f} s "
              f"(the index stage, the same in both, is the rest); wall {wall:.1f} s from the admin call to the last re-match (one worker, queue polling included)")
        if rematch_total * 3 > full_total:
            failures.append("re-matching is not 3x faster than full scanning")
        until = time.time() + 120
        expect_changed = sum(1 for r in rematches.values() if request("GET", f"/api/v1/scans/{r['id']}/changes", key)[1]["introduced"] + request("GET", f"/api/v1/scans/{r['id']}/changes", key)[1]["resolved"] > 0)
        while time.time() < until and (sum(e == "scan.completed" for e, *_ in received) < len(scans) or sum(e == "findings.changed" for e, *_ in received) < expect_changed):
            time.sleep(0.2)
        completed = [x for x in received if x[0] == "scan.completed"]
        changed = [x for x in received if x[0] == "findings.changed"]
        delays = [t - seconds(full[b["data"]["scanId"]]["finishedAt"]) for _, _, b, t, _ in completed if b["data"]["scanId"] in full]
        print(f"webhooks: {len(completed)}/{len(scans)} scan.completed, {len(changed)}/{expect_changed} findings.changed, "
              f"all signatures valid: {all(ok for *_, ok in received)}, commit to receipt median {statistics.median(delays) * 1000 if delays else float('nan'):.0f} ms")
        if len(completed) < len(scans) or len(changed) < expect_changed:
            failures.append("webhook deliveries missing")
        if not all(ok for *_, ok in received):
            failures.append("a webhook signature does not verify")
    finally:
        server.terminate()
        server.wait(30)
        hooks.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print("load:", open("/proc/loadavg").read().strip())
    if failures:
        print("FAILED:", "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
