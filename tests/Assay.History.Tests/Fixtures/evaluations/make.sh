#!/usr/bin/env bash
# Writes the evaluation documents of the release fixtures (../releases/make.sh) as `assay scan -f json`
# writes them: EvaluationFixtureTests diff a stored document against a fresh scan (an evaluation read
# back must diff like a fresh one), and the history:evaluation-json fuzz target starts from them.
# The input path is rewritten to the fixture's name, so the files do not depend on the checkout.
set -euo pipefail
cd "$(dirname "$0")"
for v in 1.0.0 1.1.0; do
  ../../../../assay scan "../releases/EX2000_$v.zip" --no-vulns --no-progress -f json -o "EX2000_$v.json" || [ $? = 5 ]
  python3 - "EX2000_$v.json" "EX2000_$v.zip" <<'P'
import json, sys
path, name = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
doc["input"]["path"] = name
doc["startedAt"] = doc["finishedAt"] = "2026-01-01T00:00:00+00:00"
json.dump(doc, open(path, "w"), indent=2, ensure_ascii=False)
open(path, "a").write("\n")
P
done
ls -l ./*.json
