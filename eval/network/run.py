#!/usr/bin/env python3
"""Holds Assay's network plans against published figures (eval/network/README.md).

1. FCC calibration: a generated network shaped like the rural US networks in the FCC's
   Reimbursement Program (profile us-rural), planned with the us-fcc pack, against the FCC's
   February 2022 figures: about 24,000 units of covered equipment at about 8,400 locations, gross
   demand about US$5.6 billion (Public Notice DA 22-131, 9 Feb 2022). Counts are compared always;
   cost only with a cost table (--fcc-costs FILE), because the FCC's catalog figures are not in the
   repository (README: why).
2. Canada: the equipment a ban removes by each deadline of ca-2022 on a generated network shaped
   like a Canadian national operator (profile canada).

Every count is deterministic (fixed seeds), so it is compared exactly with expected.json; a
difference, or a count ratio to the FCC's figures outside a factor of two, exits 1.
   python3 eval/network/run.py [--assay PATH] [--work DIR] [--fcc-costs CSV] [--update]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

FCC = {"units": 24_000, "locations": 8_400, "gross_demand_usd": 5.6e9,
       "source": "FCC Public Notice DA 22-131 (9 Feb 2022): 181 applications, gross demand nearly $5.6 billion; "
                 "initial review about 24,000 units of covered equipment at about 8,400 locations (Inside Towers, Feb 2022)"}
US_SITES, CA_SITES, SEED = 10_000, 15_000, 1
CA_DATES = ["2022-08-31", "2022-09-01", "2024-06-27", "2024-06-28", "2027-12-30", "2027-12-31"]


def run(cmd, capture=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"eval/network: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def generate(assay, profile, sites, path):
    p = run([assay, "network", "generate", "--profile", profile, "--sites", str(sites), "--seed", str(SEED), "-o", path])
    shape = next((l.split(": ", 1)[1] for l in p.stderr.splitlines() if l.startswith(f"profile {profile}:")), "")
    return shape


def plan(assay, inventory, policy, costs, params, start, capacity):
    cmd = [assay, "network", "plan", inventory, "--policy", policy, "--costs", costs, "--capacity", str(capacity),
           "--start", start, "-f", "json"]
    for p in params:
        cmd += ["--param", p]
    return json.loads(run(cmd).stdout)


def fcc(assay, work, fcc_costs):
    inv = os.path.join(work, "us-rural.csv")
    shape = generate(assay, "us-rural", US_SITES, inv)
    unit = os.path.join(work, "unit-usd.csv")
    with open(unit, "w") as f:
        f.write("domain,function,unit_cost,currency\n*,*,1,USD\n")
    # The applications were decided on 15 Jul 2022; the earliest possible deadline is a year later.
    p = plan(assay, inv, "us-fcc", unit, ["allocation=2022-07-15"], "2022-07-01", 5000)
    rb = p["reimbursement"]
    counts = {
        "elements_replaced": p["elementsReplaced"],
        "sites_touched": p["sitesTouched"],
        "eligible_elements": rb["eligible"]["elements"],
        "not_eligible_elements": rb["notEligible"]["elements"],
        "by_function": dict(sorted(Counter({f"{c['domain']}/{c['function']}": c["elements"] for c in p["costs"]}).items())),
    }
    ratios = {
        "units": counts["eligible_elements"] / FCC["units"],
        "locations": counts["sites_touched"] / FCC["locations"],
        "units_per_location_assay": counts["eligible_elements"] / counts["sites_touched"],
        "units_per_location_fcc": FCC["units"] / FCC["locations"],
    }
    cost = None
    if fcc_costs:
        c = plan(assay, inv, "us-fcc", fcc_costs, ["allocation=2022-07-15"], "2022-07-01", 5000)
        eligible = c["reimbursement"]["eligible"]
        cost = {
            "table": fcc_costs,
            "currency": c["currency"],
            "expected": eligible["cost"], "low": eligible.get("costLow"), "high": eligible.get("costHigh"),
            "ratio": eligible["cost"] / FCC["gross_demand_usd"],
        }
    return {"shape": shape, "counts": counts, "ratios": ratios, "cost": cost}


def canada(assay, work):
    inv = os.path.join(work, "canada.csv")
    shape = generate(assay, "canada", CA_SITES, inv)
    checks = {}
    for date in CA_DATES:
        out = run([assay, "network", "check", inv, "--policy", "ca-2022", "--at", date, "-f", "json"]).stdout
        r = json.loads(out)
        checks[date] = {o["rule"]: f"{o['status']} {o.get('elements', 0)}" for o in r["rules"]}
    unit = os.path.join(work, "unit-cad.csv")
    with open(unit, "w") as f:
        f.write("domain,function,unit_cost,currency\n*,*,1,CAD\n")
    p = plan(assay, inv, "ca-2022", unit, [], "2022-06-01", 1000)
    removed = {}
    for d in p["deadlines"]:
        removed[d["date"]] = {"rule": d["rule"], "elements": d["elements"], "met_at_1000_a_month": d["met"]}
    # Which functions and vendors go by which deadline (a replacement is listed at its earliest due date).
    detail = Counter((r["due"], r["function"], r["vendor"]) for r in p["replacements"])
    by_deadline = {}
    for (due, fn, vendor), n in sorted(detail.items()):
        by_deadline.setdefault(due, {})[f"{fn} {vendor}"] = n
    sites = Counter(r["due"] for r in {(r["site"], r["due"]): r for r in p["replacements"]}.values())
    return {"shape": shape, "checks": checks, "removed": removed, "by_deadline": by_deadline,
            "sites_by_deadline": dict(sorted(sites.items())), "elements": p["elementsReplaced"], "sites_touched": p["sitesTouched"],
            "required_capacity": p["requiredCapacity"]}


def markdown(result, load):
    f, c = result["fcc"], result["canada"]
    r = f["ratios"]
    lines = ["# eval/network results", "",
             f"Generated by `python3 eval/network/run.py` (load average at the run: {load}). Counts are exact (fixed seeds); "
             "see README.md for the method and why the FCC cost comparison needs a cost table.", "",
             "## FCC calibration (us-fcc, profile us-rural)", "", f"Shape: {f['shape']}", "",
             f"Published: {FCC['source']}.", "",
             "| measure | Assay plan | FCC, Feb 2022 | ratio |", "|---|---:|---:|---:|",
             f"| covered locations (sites touched) | {f['counts']['sites_touched']:,} | ~{FCC['locations']:,} | {r['locations']:.2f} |",
             f"| covered units (elements obtained by 2020-06-30) | {f['counts']['eligible_elements']:,} | ~{FCC['units']:,} | {r['units']:.2f} |",
             f"| units per location | {r['units_per_location_assay']:.2f} | {r['units_per_location_fcc']:.2f} | {r['units_per_location_assay'] / r['units_per_location_fcc']:.2f} |",
             f"| elements to replace, any install date | {f['counts']['elements_replaced']:,} | | |", ""]
    if f["cost"]:
        k = f["cost"]
        lines += [f"Cost with `{k['table']}`: {k['currency']} {k['expected']:,.0f} expected"
                  + (f" (low {k['low']:,.0f}, high {k['high']:,.0f})" if k["low"] is not None else "")
                  + f" against $5.6 billion gross demand: ratio {k['ratio']:.2f}.", ""]
    else:
        lines += ["Cost: **not compared**. The FCC's Catalog of Eligible Expenses and Estimated Costs (DA 21-947, Appendix C, "
                  "3 Aug 2021) could not be read when this evaluation was written, so the repository carries no catalog "
                  "figures; give a table with `--fcc-costs FILE` (README).", ""]
    lines += ["Elements by type:", "", "| type | elements |", "|---|---:|"]
    lines += [f"| {k} | {v:,} |" for k, v in f["counts"]["by_function"].items()]
    lines += ["", "## Canada (ca-2022, profile canada)", "", f"Shape: {c['shape']}", "",
              "Rule status by check date (status and elements):", "",
              "| date | " + " | ".join(sorted(next(iter(c["checks"].values())).keys())) + " |",
              "|---|" + "---|" * len(next(iter(c["checks"].values()))) ]
    for date, rules in c["checks"].items():
        lines.append(f"| {date} | " + " | ".join(rules[k] for k in sorted(rules)) + " |")
    lines += ["", f"The plan from June 2022 replaces {c['elements']:,} elements at {c['sites_touched']:,} sites; "
              f"meeting every deadline needs {c['required_capacity']:,.0f} replacements a month.", "",
              "| deadline | rule | elements | sites | what |", "|---|---|---:|---:|---|"]
    for date, d in c["removed"].items():
        what = ", ".join(f"{k} {v:,}" for k, v in c["by_deadline"].get(date, {}).items())
        lines.append(f"| {date} | {d['rule']} | {d['elements']:,} | {c['sites_by_deadline'].get(date, 0):,} | {what} |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--assay", default=os.environ.get("ASSAY") or os.path.join(REPO, "assay"))
    ap.add_argument("--work", default=None)
    ap.add_argument("--fcc-costs", default=os.environ.get("FCC_COSTS"))
    ap.add_argument("--update", action="store_true", help="rewrite expected.json from this run")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="assay-eval-network-")
    os.makedirs(work, exist_ok=True)
    result = {"fcc": fcc(a.assay, work, a.fcc_costs), "canada": canada(a.assay, work)}
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else "n/a"
    with open(os.path.join(HERE, "results.md"), "w") as f:
        f.write(markdown(result, " ".join(load)))
    print(markdown(result, " ".join(load)))

    status = 0
    for name in ("units", "locations"):
        if not 0.5 <= result["fcc"]["ratios"][name] <= 2.0:
            print(f"REGRESSION: FCC {name} ratio {result['fcc']['ratios'][name]:.2f} is outside a factor of two")
            status = 1
    if result["fcc"]["cost"] and not 0.5 <= result["fcc"]["cost"]["ratio"] <= 2.0:
        print(f"OUTSIDE A FACTOR OF TWO: cost ratio {result['fcc']['cost']['ratio']:.2f} with {a.fcc_costs}")
        status = 1
    comparable = {"fcc": result["fcc"]["counts"], "canada": {k: v for k, v in result["canada"].items() if k != "shape"}}
    expected_path = os.path.join(HERE, "expected.json")
    if a.update or not os.path.exists(expected_path):
        with open(expected_path, "w") as f:
            json.dump(comparable, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote {expected_path}")
    else:
        expected = json.load(open(expected_path))
        if expected != json.loads(json.dumps(comparable)):
            for part in ("fcc", "canada"):
                for k in sorted(set(expected[part]) | set(comparable[part])):
                    if expected[part].get(k) != json.loads(json.dumps(comparable[part])).get(k):
                        print(f"REGRESSION: {part}.{k}: expected {expected[part].get(k)}, got {comparable[part].get(k)}")
            status = 1
    print("eval/network:", "ok" if status == 0 else "differences (see above)")
    return status


if __name__ == "__main__":
    sys.exit(main())
