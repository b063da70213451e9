#!/usr/bin/env python3
"""Scale-out drain and throughput (issue 15), with real processes on a private PostgreSQL cluster.

  run.py drain [N]       N small scans (default 1000) queued at once; 2 worker processes killed -9 at
                         random intervals and restarted; checks 0 lost, 0 duplicated, every evaluation
                         equal to the CLI's for the same delivery. Exit 1 otherwise.
  run.py throughput      scans per minute with 1, 2 and 4 worker processes on the corpus images
                         (../shared/corpus or $ASSAY_SHARED/corpus; skipped cleanly without it), and
                         the dispatch overhead per stage against the stage's own time.
  run.py dispatch [N]    the latency from a web process's enqueue to an idle worker process's start:
                         N small scans (default 20), one at a time (each queued once the one before
                         ended), one web and one worker process; p50 / p95 / max of enqueue to unpack
                         start and of a stage's commit to the next stage's start.

Everything runs on 127.0.0.1; every process and the cluster are stopped on exit, pass or fail.
"""
import atexit, hashlib, io, json, os, random, shutil, signal, socket, subprocess, sys, tarfile, tempfile, threading, time
import urllib.error, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ASSAY = os.environ.get("ASSAY") or os.path.join(ROOT, "assay")
PROCS = []
CLEANUP = []


def load():
    return open("/proc/loadavg").read().split()[:3]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """Debian's PostgreSQL server in a temporary folder, run as 'postgres' when we are root."""

    def __init__(self):
        base = "/usr/lib/postgresql"
        bins = sorted((os.path.join(base, v, "bin") for v in os.listdir(base) if os.path.exists(os.path.join(base, v, "bin", "initdb"))), reverse=True) if os.path.isdir(base) else []
        if not bins:
            sys.exit("bench/scaleout: PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run: bash .ci/install.sh")
        self.bin = bins[0]
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="assay-bench-pg-")
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self.pg("initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
        self.pg("pg_ctl", "-D", self.dir + "/data", "-w", "-l", self.dir + "/log", "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off", "start")
        CLEANUP.append(self.stop)
        self.databases = 0

    def pg(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/tmp")

    def create(self):
        self.databases += 1
        name = f"assay_{self.databases}"
        self.sql("postgres", f"CREATE DATABASE {name}")
        return name, f"Host=127.0.0.1;Port={self.port};Username=postgres;Database={name};Maximum Pool Size=20"

    def sql(self, db, query):
        out = subprocess.run([os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db, "-At", "-F", "|", "-c", query],
                             check=True, capture_output=True, text=True)
        return [line.split("|") for line in out.stdout.splitlines() if line]

    def stop(self):
        try:
            self.pg("pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "-w", "stop")
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Proc:
    """An 'assay serve' process; its log is kept; killed on exit."""

    def __init__(self, args, log):
        self.log = open(log, "ab")
        self.p = subprocess.Popen([ASSAY, *args], stdout=self.log, stderr=subprocess.PIPE, env={**os.environ, "DOTNET_gcServer": "0"})
        self.url = None
        ready = threading.Event()

        def read():
            for raw in self.p.stderr:
                self.log.write(raw)
                line = raw.decode(errors="replace")
                if line.startswith("assay: serving ") and self.url is None:
                    self.url = line.split()[2]
                    ready.set()
            ready.set()
        threading.Thread(target=read, daemon=True).start()
        PROCS.append(self)
        if not ready.wait(180) or self.url is None:
            raise SystemExit(f"bench/scaleout: assay {' '.join(args[:3])} did not start; see {log}")

    def kill(self, sig=signal.SIGKILL):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            self.p.wait()


def cleanup():
    for p in PROCS:
        try:
            p.kill()
        except Exception:
            pass
    for c in reversed(CLEANUP):
        c()


atexit.register(cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))


class Api:
    def __init__(self, url, key):
        self.url, self.key = url.rstrip("/"), key

    def call(self, method, path, body=None, raw=None, headers=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Authorization": f"Bearer {self.key}", **(headers or {})})
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for attempt in range(30):
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    text = r.read()
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as e:
                if e.code < 500:
                    raise SystemExit(f"bench/scaleout: {method} {path}: {e.code} {e.read()[:300]!r}")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise SystemExit(f"bench/scaleout: {method} {path} kept failing")


def world(cluster, workers, lease, work, log_dir, worker_args=()):
    """A database, a data folder, one web process, `workers` worker processes; returns (api, db, serve, procs)."""
    db, cs = cluster.create()
    data = os.path.join(work, db)
    out = subprocess.run([ASSAY, "admin", "bootstrap", "--data", data, "--db", cs], check=True, capture_output=True, text=True)
    admin = out.stdout.strip().split()[-1]

    def serve(role, i):
        return Proc(["serve", "--role", role, "--db", cs, "--data", data, "--urls", "http://127.0.0.1:0", "--no-vulns",
                     "--lease", str(lease), "--workers", "1", *worker_args, *os.environ.get("ASSAY_WORKER_ARGS", "").split()],
                    os.path.join(log_dir, f"{db}-{role}-{i}.log"))
    web = serve("web", 0)
    procs = [serve("worker", i) for i in range(workers)]
    system = Api(web.url, admin)
    tenant = system.call("POST", "/api/v1/tenants", {"name": "bench"})["id"]
    key = system.call("POST", "/api/v1/api-keys", {"tenantId": tenant, "role": "admin", "name": "bench"})["key"]
    return Api(web.url, key), db, serve, procs


def masked(evaluation):
    evaluation = dict(evaluation)
    evaluation.pop("startedAt", None)
    evaluation.pop("finishedAt", None)
    evaluation["input"] = {k: v for k, v in evaluation["input"].items() if k != "path"}
    return json.dumps(evaluation, sort_keys=True)


def cli_evaluation(path, work):
    out = os.path.join(work, os.path.basename(path) + ".cli.json")
    code = subprocess.run([ASSAY, "scan", path, "-f", "json", "--no-vulns", "-o", out], capture_output=True).returncode
    if code not in (0, 1):
        raise SystemExit(f"bench/scaleout: assay scan {path} exited {code}")
    return masked(json.load(open(out)))


def small_deliveries(work, count):
    """Small tars made here, deterministically: a few configuration files each (one with a planted secret)."""
    paths = []
    for d in range(count):
        path = os.path.join(work, f"small-{d}.tar")
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
            for i in range(20 + d * 10):
                body = "".join(f"option{i}_{k} = value{d}\n" for k in range(10)).encode()
                if i == 3:
                    body += b"PermitRootLogin yes\n"
                info = tarfile.TarInfo(f"etc/conf.d/f{i:03}.conf")
                info.size, info.mtime, info.mode = len(body), 1700000000, 0o644
                tar.addfile(info, io.BytesIO(body))
        paths.append(path)
    return paths


def upload(api, project, version, path):
    release = api.call("POST", f"/api/v1/projects/{project}/releases", {"version": version})["id"]
    with open(path, "rb") as f:
        api.call("PUT", f"/api/v1/releases/{release}/delivery", raw=f.read(),
                 headers={"Content-Type": "application/octet-stream", "Content-Disposition": f'attachment; filename="{os.path.basename(path)}"'})
    return release


def wait_all(cluster, db, total, timeout, tick=None):
    until = time.time() + timeout
    while time.time() < until:
        ended = int(cluster.sql(db, "SELECT COUNT(*) FROM scan WHERE status IN ('succeeded','failed','cancelled')")[0][0])
        if tick:
            tick(ended)
        if ended >= total:
            return True
        time.sleep(1)
    return False


def drain(n):
    work = tempfile.mkdtemp(prefix="assay-bench-drain-")
    CLEANUP.append(lambda: shutil.rmtree(work, ignore_errors=True))
    logs = os.path.join(HERE, "raw")
    os.makedirs(logs, exist_ok=True)
    lease = int(os.environ.get("ASSAY_DRAIN_LEASE", "10"))
    cluster = Cluster()
    deliveries = small_deliveries(work, 4)
    expected = {os.path.basename(p): cli_evaluation(p, work) for p in deliveries}
    api, db, serve, workers = world(cluster, 2, lease, work, logs)
    project = api.call("POST", "/api/v1/projects", {"name": "Drain", "vendor": "Example"})["id"]
    releases = [(upload(api, project, f"d{i}", p), os.path.basename(p)) for i, p in enumerate(deliveries)]
    started = time.time()
    scans = {}
    for i in range(n):
        release, name = releases[i % len(releases)]
        scans[api.call("POST", f"/api/v1/releases/{release}/scans?priority=bulk")["id"]] = name
    queued = time.time() - started
    print(f"drain: {n} scans queued in {queued:.0f} s; 2 workers, lease {lease} s; load {' '.join(load())}", flush=True)

    kills = []
    stop = threading.Event()

    def chaos():
        rng = random.Random(15)
        while not stop.wait(rng.uniform(3, 12)):
            i = rng.randrange(len(workers))
            workers[i].kill()
            kills.append(time.time() - started)
            workers[i] = serve("worker", len(kills) + 1)
    killer = threading.Thread(target=chaos, daemon=True)
    killer.start()
    last = [0]

    def tick(ended):
        if ended // 50 != last[0] // 50:
            print(f"  {ended}/{n} ended after {time.time() - started:.0f} s, {len(kills)} kills", flush=True)
        last[0] = ended
    finished = wait_all(cluster, db, n, timeout=max(600, n * 6), tick=tick)
    stop.set()
    killer.join()
    wall = time.time() - started

    rows = cluster.sql(db, "SELECT s.id, s.status, s.attempt, (SELECT COUNT(*) FROM evaluation e WHERE e.scan_id = s.id), "
                           "(SELECT attempt FROM scan_stage t WHERE t.scan_id = s.id AND t.stage = 'report' AND t.status = 'succeeded') FROM scan s")
    by_id = {r[0]: r for r in rows}
    lost = [s for s in scans if s not in by_id or by_id[s][1] != "succeeded" or by_id[s][3] == "0"]
    duplicated = [s for s in scans if s in by_id and int(by_id[s][3]) > 1]
    fenced = [s for s in scans if s in by_id and by_id[s][1] == "succeeded" and by_id[s][4] != by_id[s][2]]   # report committed under an attempt that was not the last
    stage_count = int(cluster.sql(db, "SELECT COUNT(*) FROM scan_stage WHERE scan_id = (SELECT MIN(id) FROM scan)")[0][0])
    retried = sum(1 for s in scans if s in by_id and int(by_id[s][2]) > stage_count)   # one claim per stage job; more: taken over
    mismatched = []
    for s, name in scans.items():
        if s in lost:
            continue
        if masked(api.call("GET", f"/api/v1/scans/{s}/evaluation")) != expected[name]:
            mismatched.append(s)
    table = ["| fault | scans | lost | duplicated | fenced commits | not equal to the CLI | extra attempts | wall time | scans/min |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {len(kills)} worker kill -9 (every 3-12 s, restarted at once), lease {lease} s | {n} | {len(lost)} | {len(duplicated)} | {len(fenced)} | {len(mismatched)} | {retried} scans taken over | {wall:.0f} s | {n / wall * 60:.1f} |"]
    print("\n".join(table))
    print(f"load {' '.join(load())}; logs in {logs}")
    ok = finished and not lost and not duplicated and not fenced and not mismatched
    if not ok:
        print(f"drain: FAILED ({'timed out; ' if not finished else ''}lost {lost[:5]}, duplicated {duplicated[:5]}, fenced {fenced[:5]}, mismatched {mismatched[:5]})", file=sys.stderr)
    return 0 if ok else 1


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def throughput():
    shared = os.environ.get("ASSAY_SHARED") or os.path.join(ROOT, "..", "shared")
    corpus = os.path.join(shared, "corpus", "debian-rootfs")
    if not os.path.isdir(corpus):
        print(f"bench/scaleout: no corpus at {corpus} (set ASSAY_SHARED); skipped")
        return 0
    images = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, f)))
    rounds = int(os.environ.get("ASSAY_BENCH_ROUNDS", "2"))
    counts = [int(c) for c in os.environ.get("ASSAY_BENCH_WORKERS", "1,2,4").split(",")]
    work = tempfile.mkdtemp(prefix="assay-bench-tp-")
    CLEANUP.append(lambda: shutil.rmtree(work, ignore_errors=True))
    logs = os.path.join(HERE, "raw")
    os.makedirs(logs, exist_ok=True)
    cluster = Cluster()
    print(f"throughput: {len(images)} corpus images x {rounds} rounds; load {' '.join(load())}", flush=True)
    stages = ["unpack", "match", "diff", "report"]
    table = ["| worker processes | scans | wall | scans/min | enqueue to start p50 / p95 (idle worker) | " + " | ".join(f"{st} p50" for st in stages) + " | commit to next stage start p50 / p95 | load |",
             "|" + "---|" * (7 + len(stages))]
    for workers in counts:
        api, db, _, procs = world(cluster, workers, 120, work, logs)
        project = api.call("POST", "/api/v1/projects", {"name": "Corpus", "vendor": "Example"})["id"]
        releases = [upload(api, project, os.path.basename(p), p) for p in images]
        started = time.time()
        total = 0
        for _ in range(rounds):
            for r in releases:
                api.call("POST", f"/api/v1/releases/{r}/scans?priority=bulk")
                total += 1
        if not wait_all(cluster, db, total, timeout=3600):
            print(f"throughput: {workers} workers timed out", file=sys.stderr)
            return 1
        wall = time.time() - started
        joins = " ".join(f"JOIN scan_stage t{i} ON t{i}.scan_id = s.id AND t{i}.stage = '{st}'" for i, st in enumerate(stages))
        columns = ", ".join(f"t{i}.started_at, t{i}.finished_at" for i in range(len(stages)))
        rows = cluster.sql(db, f"SELECT s.queued_at, {columns}, s.status FROM scan s {joins} ORDER BY s.queued_at")
        done = [[int(x) for x in r[:-1]] for r in rows if r[-1] == "succeeded"]
        first = done[:workers]   # nobody was busy: the enqueue-to-start time is the dispatch itself
        dispatch = [r[1] - r[0] for r in first]
        own = [[r[2 + 2 * i] - r[1 + 2 * i] for r in done] for i in range(len(stages))]
        hand_on = [r[1 + 2 * (i + 1)] - r[2 + 2 * i] for r in done for i in range(len(stages) - 1)]   # a commit to the next stage's start: enqueue, fetch, claim
        table.append(f"| {workers} | {len(done)}/{total} | {wall:.0f} s | {len(done) / wall * 60:.2f} | {percentile(dispatch, 50):.0f} / {percentile(dispatch, 95):.0f} ms | "
                     + " | ".join(f"{percentile(o, 50) / 1000:.2f} s" for o in own)
                     + f" | {percentile(hand_on, 50):.0f} / {percentile(hand_on, 95):.0f} ms | {' '.join(load())} |")
        print(table[-1], flush=True)
        for p in procs:
            p.kill()
    print("\n".join(table))
    return 0


def dispatch(n):
    work = tempfile.mkdtemp(prefix="assay-bench-dispatch-")
    CLEANUP.append(lambda: shutil.rmtree(work, ignore_errors=True))
    logs = os.path.join(HERE, "raw")
    os.makedirs(logs, exist_ok=True)
    cluster = Cluster()
    api, db, _, procs = world(cluster, 1, 120, work, logs)
    project = api.call("POST", "/api/v1/projects", {"name": "Dispatch", "vendor": "Example"})["id"]
    release = upload(api, project, "d", small_deliveries(work, 1)[0])
    print(f"dispatch: {n} small scans one at a time, 1 web + 1 worker process; load {' '.join(load())}", flush=True)
    for i in range(n):
        api.call("POST", f"/api/v1/releases/{release}/scans")
        if not wait_all(cluster, db, i + 1, timeout=120):
            print(f"dispatch: scan {i + 1} did not end in 120 s", file=sys.stderr)
            return 1
        time.sleep(random.Random(i).uniform(0.2, 1.2))   # the worker is idle, at a random point of its poll
    stages = ["unpack", "match", "diff", "report"]
    joins = " ".join(f"JOIN scan_stage t{i} ON t{i}.scan_id = s.id AND t{i}.stage = '{st}'" for i, st in enumerate(stages))
    columns = ", ".join(f"t{i}.started_at, t{i}.finished_at" for i in range(len(stages)))
    rows = [[int(x) for x in r] for r in cluster.sql(db, f"SELECT s.queued_at, {columns} FROM scan s {joins} WHERE s.status = 'succeeded' ORDER BY s.queued_at")]
    start = [r[1] - r[0] for r in rows]
    hand_on = [r[1 + 2 * (i + 1)] - r[2 + 2 * i] for r in rows for i in range(len(stages) - 1)]
    print("| scans | enqueue to start p50 / p95 / max | commit to next stage start p50 / p95 / max | load |")
    print("|---|---|---|---|")
    print(f"| {len(rows)}/{n} | {percentile(start, 50):.0f} / {percentile(start, 95):.0f} / {max(start):.0f} ms | "
          f"{percentile(hand_on, 50):.0f} / {percentile(hand_on, 95):.0f} / {max(hand_on):.0f} ms | {' '.join(load())} |")
    for p in procs:
        p.kill()
    return 0 if len(rows) == n else 1


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "drain"
    if mode == "drain":
        sys.exit(drain(int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("ASSAY_DRAIN_SCANS", "1000"))))
    if mode == "throughput":
        sys.exit(throughput())
    if mode == "dispatch":
        sys.exit(dispatch(int(sys.argv[2]) if len(sys.argv) > 2 else 20))
    sys.exit(f"usage: {sys.argv[0]} drain [N] | throughput | dispatch [N]")
