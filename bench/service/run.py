#!/usr/bin/env python3
"""Benchmarks of `assay serve` (issue 14), one command: bash bench/service/run.sh

1. uploads: 20 concurrent PUTs of 50 MiB deliveries; every SHA-256 checked; server RSS growth (< 200 MiB).
2. project list: 10,000 projects x 10 releases in the store; GET /api/v1/projects pages and the UI's
   project list, p95 latency (< 300 ms).
3. evaluation page: the largest corpus image (../shared/corpus, when present) uploaded and scanned;
   the release page and GET /scans/{id}/evaluation (< 1 s).
Loopback only; every loop is bounded. Exits 1 when a bar is missed.
"""
import concurrent.futures, hashlib, json, os, pathlib, sqlite3, subprocess, sys, tempfile, time, urllib.request, uuid
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import labclient  # noqa: E402  (bench/lib)

ASSAY = os.environ.get("ASSAY", str(pathlib.Path(__file__).resolve().parents[2] / "assay"))
PORT = int(os.environ.get("ASSAY_BENCH_PORT", "18181"))
BASE = f"http://127.0.0.1:{PORT}"
UPLOADS, UPLOAD_MIB = int(os.environ.get("ASSAY_BENCH_UPLOADS", "20")), int(os.environ.get("ASSAY_BENCH_UPLOAD_MIB", "50"))
PROJECTS, RELEASES = int(os.environ.get("ASSAY_BENCH_PROJECTS", "10000")), 10
failures = []


def request(method, path, key=None, body=None, headers=None, timeout=600):
    return labclient.request(BASE, method, path, key, body, headers, timeout)


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def p95(samples):
    s = sorted(samples)
    return s[min(len(s) - 1, int(0.95 * len(s)))]


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    data = tempfile.mkdtemp(prefix="assay-bench-service-")
    boot = subprocess.run([ASSAY, "admin", "bootstrap", "--data", data], capture_output=True, text=True, check=True)
    system = boot.stdout.strip().split()[-1]
    server = subprocess.Popen([ASSAY, "serve", "--data", data, "--urls", BASE, "--workers", "1", "--no-vulns"], stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        tenant = request("POST", "/api/v1/tenants", system, {"name": "bench"})[1]["id"]
        key = request("POST", "/api/v1/api-keys", system, {"tenantId": tenant, "role": "admin", "name": "bench"})[1]["key"]
        project = request("POST", "/api/v1/projects", key, {"name": "uploads", "vendor": "bench"})[1]["id"]

        # 1. concurrent uploads, streamed from disk by each client
        blob = os.path.join(data, "upload.bin")
        with open(blob, "wb") as f:
            for _ in range(UPLOAD_MIB):
                f.write(os.urandom(1 << 20))
        expected = hashlib.sha256(open(blob, "rb").read()).hexdigest()
        releases = [request("POST", f"/api/v1/projects/{project}/releases", key, {"version": f"u{i}"})[1]["id"] for i in range(UPLOADS)]
        before = rss_kib(server.pid)
        peak = [before]

        def upload(release):
            with open(blob, "rb") as f:
                status, body = request("PUT", f"/api/v1/releases/{release}/delivery", key, f,
                                       {"Content-Disposition": 'attachment; filename="upload.bin"', "Content-Length": str(os.path.getsize(blob))})
            peak.append(rss_kib(server.pid))
            return status, body["sha256"]

        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(UPLOADS) as pool:
            results = list(pool.map(upload, releases))
        elapsed = time.perf_counter() - t
        growth = (max(peak) - before) / 1024
        bad = [r for r in results if r != (200, expected)]
        print(f"uploads: {UPLOADS} x {UPLOAD_MIB} MiB concurrent in {elapsed:.1f} s ({UPLOADS * UPLOAD_MIB / elapsed:.0f} MiB/s); "
              f"RSS {before / 1024:.0f} -> peak {max(peak) / 1024:.0f} MiB (growth {growth:.0f} MiB, bar 200); hash mismatches {len(bad)}")
        if growth >= 200 or bad:
            failures.append("uploads")

        # 2. a portfolio of PROJECTS x RELEASES rows, written straight into the SQLite store
        db = sqlite3.connect(os.path.join(data, "assay.db"))
        now = int(time.time() * 1000)
        projects = [(str(uuid.uuid4()), tenant, f"product-{i:05d}", f"vendor-{i % 37}", now) for i in range(PROJECTS)]
        db.executemany("INSERT INTO project (id, tenant_id, name, vendor, created_at) VALUES (?,?,?,?,?)", projects)
        db.executemany("INSERT INTO release (id, tenant_id, project_id, version, created_at) VALUES (?,?,?,?,?)",
                       [(str(uuid.uuid4()), tenant, p[0], f"{r}.0", now + r) for p in projects for r in range(RELEASES)])
        db.commit()
        db.close()
        pages = {"first page": "/api/v1/projects?limit=50"}
        token = None
        for _ in range(100):  # walk to page 100 to time a deep page too
            body = request("GET", "/api/v1/projects?limit=50" + (f"&page_token={token}" if token else ""), key)[1]
            token = body["nextPageToken"]
        pages["page 101"] = f"/api/v1/projects?limit=50&page_token={token}"
        pages["filtered"] = "/api/v1/projects?limit=50&q=product-0999"
        for name, path in pages.items():
            samples = timed(lambda: request("GET", path, key), 100)
            print(f"project list ({PROJECTS} x {RELEASES}), {name}: p50 {sorted(samples)[50]:.1f} ms, p95 {p95(samples):.1f} ms (bar 300)")
            if p95(samples) >= 300:
                failures.append(f"project list {name}")

        # 3. the evaluation page of the largest corpus image
        corpus = pathlib.Path(os.environ.get("ASSAY_SHARED", pathlib.Path(__file__).resolve().parents[3] / "shared")) / "corpus"
        images = sorted((p for p in corpus.rglob("*") if p.is_file() and p.suffix not in (".json", ".md", ".txt", ".sh")), key=lambda p: p.stat().st_size) if corpus.is_dir() else []
        if images:
            image = images[-1]
            release = request("POST", f"/api/v1/projects/{project}/releases", key, {"version": "corpus"})[1]["id"]
            with open(image, "rb") as f:
                request("PUT", f"/api/v1/releases/{release}/delivery", key, f, {"Content-Disposition": f'attachment; filename="{image.name}"', "Content-Length": str(image.stat().st_size)})
            scan = request("POST", f"/api/v1/releases/{release}/scans", key, {})[1]["id"]
            t = time.perf_counter()
            while request("GET", f"/api/v1/scans/{scan}", key)[1]["status"] in ("queued", "running") and time.perf_counter() - t < 1800:
                time.sleep(1)
            print(f"corpus image {image.name} ({image.stat().st_size / 1048576:.1f} MiB) scanned in {time.perf_counter() - t:.1f} s")
            for name, path in {"evaluation JSON": f"/api/v1/scans/{scan}/evaluation", "findings page (API)": f"/api/v1/releases/{release}/findings?limit=500"}.items():
                samples = timed(lambda: request("GET", path, key), 20)
                print(f"{name}: p95 {p95(samples):.0f} ms (bar 1000)")
                if p95(samples) >= 1000:
                    failures.append(name)
        else:
            print("corpus: ../shared/corpus not found; evaluation page not measured")
    finally:
        server.terminate()
        server.wait(30)
        subprocess.run(["rm", "-rf", data])
    print("load:", open("/proc/loadavg").read().strip())
    if failures:
        print("FAILED:", ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
