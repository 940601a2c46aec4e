#!/bin/sh
# Refreshes docs/examples/ with the reports of real drills: the headline restore drill, the two-site
# failover and failback drills and the chaos plan (unattended), and the people drill of the e2e tests
# (test/fixtures/people.yaml) played by a rehearsal script with a refused decision and a breakdown,
# plus the revision `drill revise` proposes from it.
# Usage: npm run examples   (sets up what is missing, like `npm run demo`)
set -eu
cd "$(dirname "$0")/.."
out=docs/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm run --silent build
node dist/cli/main.js setup

# A drill's verdict is part of the example (1 objective missed, 5 not measured); anything else stops here.
ok() { [ "$1" -eq 1 ] || [ "$1" -eq 5 ]; }

copy() { # drill-id → docs/examples/<name>/
  mkdir -p "$out/$2"
  for f in report.md report.html report.json junit.xml; do cp "$work/results/$1/$f" "$out/$2/$f"; done
}

node dist/cli/main.js run scenarios/restore-from-backup.yaml --drill-id example-restore --results "$work/results" || ok $?
copy example-restore restore-from-backup
for s in site-failover failback; do
  node dist/cli/main.js run "scenarios/$s.yaml" --drill-id "example-$s" --results "$work/results" || ok $?
  copy "example-$s" "$s"
done
node dist/cli/main.js run test/fixtures/chaos.yaml --drill-id example-chaos --results "$work/results" || ok $?
copy example-chaos chaos

cat > "$work/rehearsal.yaml" <<'SCRIPT'
- { step: declare, decide: { by: alice, as: operator }, expect: refused }
- { step: declare, after: 2s, decide: { by: cho, as: chief-officer, note: site A lost } }
- { step: tell-users, after: 1s, confirm: { by: alice, note: posted on the status page } }
- { step: runbook, after: 1s, breakdown: { by: alice, code: procedure-missing, note: the runbook has no rollback section, effect: prolonged } }
- { step: runbook, after: 3s, confirm: { by: alice, workaround: asked the database team by phone } }
- { step: paperwork, skip: { by: alice, reason: filed after the drill } }
SCRIPT
node dist/cli/main.js run test/fixtures/people.yaml --operator "script:$work/rehearsal.yaml" --drill-id example-people --results "$work/results" || ok $?
copy example-people people
cp test/fixtures/people.yaml "$work/people.yaml"
node dist/cli/main.js revise "$work/people.yaml" --from "$work/results/example-people/report.json" --diff \
  | sed "s#$work/##g" > "$out/people/revision.diff"
echo "examples refreshed in $out/"
