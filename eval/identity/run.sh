#!/usr/bin/env bash
# Same input, same evaluation across a code change: builds two revisions of Assay (default: the
# merge base with `main` and the working tree), scans every image of the shared corpus with each
# (`assay scan -f json --no-vulns`), and compares the evaluations field by field with the volatile
# fields (startedAt, finishedAt) masked. Differences that a change meant to make are listed, with
# the fix that explains them, in eval/identity/expected-differences.json; anything else fails.
#
# usage: bash eval/identity/run.sh [BEFORE [AFTER]]
#        (ce5f841 is the engine branch's baseline: main with load-independent signature matching)
#        BEFORE, AFTER: git revisions, or "worktree" for the checkout as it is (default AFTER);
#                       BEFORE defaults to `git merge-base HEAD main`.
# env:   CORPUS (default /work/shared/corpus, else ../shared/corpus), WORK (default
#        /tmp/assay-identity: builds and evaluations are kept there between runs, keyed by commit),
#        JOBS (passed as --jobs), ONLY="rootfs.tar.gz,esbuild" (restrict to these image names),
#        AFTER_ARGS (more scan options for the AFTER side only, e.g. "--jobs 1"),
#        CACHE_MODES (default "off cold warm": the AFTER side without the result cache, with an
#        empty one, then with the one the cold pass filled; each must equal BEFORE).
# exit:  0 identical apart from the expected differences, 1 other differences, 2 build/scan failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$ROOT/../shared/corpus"; do
    [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }
  done
fi
if [ -z "${CORPUS:-}" ] || [ ! -f "$CORPUS/ground-truth.json" ]; then
  echo "eval/identity: shared corpus not found (set CORPUS); skipping." >&2
  exit 0
fi
WORK=${WORK:-/tmp/assay-identity}
BEFORE=${1:-$(git -C "$ROOT" merge-base HEAD main)}
AFTER=${2:-worktree}
mkdir -p "$WORK"

# build REV -> prints the path of its assay binary. A commit is exported with `git archive` into
# $WORK/src-SHA and built once; "worktree" builds a copy of this checkout (tracked and untracked
# files) in $WORK/src-worktree, so editing may go on while it runs.
build() {
  local rev=$1 dir bin
  if [ "$rev" = worktree ]; then
    # a copy of the checkout as it is now, so editing may go on while this runs
    dir=$WORK/src-worktree
    mkdir -p "$dir"
    find "$dir" -mindepth 1 -maxdepth 1 ! -name artifacts -exec rm -rf {} +
    (cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -cf - -T - 2>/dev/null | tar -xf - -C "$dir") || return 2
    (cd "$dir" && dotnet build src/Assay.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2) || return 2
    echo "$dir/artifacts/bin/Assay.Cli/release/assay"
    return
  fi
  local sha; sha=$(git -C "$ROOT" rev-parse --short=12 "$rev^{commit}")
  dir=$WORK/src-$sha
  bin=$dir/artifacts/bin/Assay.Cli/release/assay
  if [ ! -x "$bin" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    git -C "$ROOT" archive "$sha" | tar -x -C "$dir"
    (cd "$dir" && dotnet build src/Assay.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2) || return 2
  fi
  echo "$bin"
}

label() { if [ "$1" = worktree ]; then echo worktree; else git -C "$ROOT" rev-parse --short=12 "$1^{commit}"; fi; }

images=()
while IFS= read -r f; do images+=("$f"); done < <(find "$CORPUS/debian-rootfs" "$CORPUS/npm-binaries" -type f \( -name '*.gz' -o -name '*.xz' -o -name '*.tgz' -o -name '*.zip' -o -name '*.ubi' -o -name '*.ext4' -o -name '*.jffs2' -o -name '*.uImage' -o -name node -o -name esbuild \) | sort)

# scan BIN OUT [ARGS...]: every corpus image into OUT (kept between runs for commits)
scan_all() {
  local bin=$1 out=$2; shift 2
  mkdir -p "$out"
  for img in "${images[@]}"; do
    name=$(basename "$img")
    if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    [ -s "$out/$name.json" ] && continue
    echo "[$(date +%T)] $(basename "$out") $name" >&2
    # shellcheck disable=SC2086
    "$bin" scan "$img" -f json -o "$out/$name.json.tmp" --no-progress --no-vulns ${JOBS:+--jobs $JOBS} "$@" >/dev/null \
      || { echo "eval/identity: scan of $name into $out failed" >&2; exit 2; }
    mv "$out/$name.json.tmp" "$out/$name.json"
  done
}

status=0
before_bin=$(build "$BEFORE") || { echo "eval/identity: building $BEFORE failed" >&2; exit 2; }
before_out=$WORK/eval-$(label "$BEFORE")
scan_all "$before_bin" "$before_out"
after_bin=$(build "$AFTER") || { echo "eval/identity: building $AFTER failed" >&2; exit 2; }
after=$WORK/eval-$(label "$AFTER")
# The AFTER side three times: without the result cache, with an empty one, and with the one the
# second pass filled (every image then replays from it): all must equal BEFORE.
cache=$WORK/cache-$(label "$AFTER")
rm -rf "$cache"
[ "$AFTER" = worktree ] && rm -rf "$after"-*
for mode in ${CACHE_MODES:-off cold warm}; do
  case $mode in
    off) scan_all "$after_bin" "$after-$mode" --no-cache ${AFTER_ARGS:-} ;;
    cold|warm) scan_all "$after_bin" "$after-$mode" --cache "$cache" ${AFTER_ARGS:-} ;;
  esac
  echo "=== $(label "$BEFORE") vs $(label "$AFTER") ($mode cache)"
  python3 "$HERE/compare.py" "$before_out" "$after-$mode" --expected "$HERE/expected-differences.json" ${ONLY:+--only "$ONLY"} || status=1
done
exit $status
