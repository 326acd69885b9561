#!/usr/bin/env bash
# Builds test/fixtures/store-format2/: a small store written by the format-2 release (commit dfc0bd8,
# the code before store format 3), through the bins as a user would. It was run once with that
# commit's build and the result committed; format-3 code must never write into that directory.
#   git worktree add /tmp/f2 dfc0bd8 && (cd /tmp/f2 && npm ci && npm run build) && \
#     BIN=/tmp/f2/dist/src/bin scripts/make-format2-fixture.sh
set -euo pipefail
BIN=${BIN:?the dist/src/bin of the format-2 release}
HERE=$(cd "$(dirname "$0")/.." && pwd)
OUT="$HERE/test/fixtures/store-format2"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home" PYGUBUAI_HOME="$WORK/home/.pygubuai" NO_COLOR=1
mkdir -p "$HOME/apps/login" "$HOME/apps/crm" "$HOME/apps/notes" "$HOME/tpl/dialog"
S="$WORK/store"
db() { node "$BIN/pygubu-db.js" --store "$S" "$@" >/dev/null; }
db init
db project add "$HOME/apps/login" --tags forms,auth --description "Login form"
db project add "$HOME/apps/crm" --description "Customer records ünïcode ✓" --tags forms
db project add "$HOME/apps/notes" --tags notes
db project update login --tags auth,web --description "Login form, remember me"
db project active login
for i in 1 2 3 4 5; do db history record login file_changed -d "login.ui change $i" --at "2026-01-0${i}T10:00:00Z"; done
db history record crm ui_generated --at 2026-01-02T03:04:05Z --user ann
db project rename crm customers
db project remove notes
cat > "$HOME/tpl/dialog/dialog.ui" <<'UI'
<?xml version='1.0' encoding='utf-8'?>
<interface version="1.3"><object class="tk.Toplevel" id="top"><child><object class="ttk.Button" id="ok"><property name="text">OK</property><layout manager="pack"/></object></child></object></interface>
UI
node "$BIN/pygubu-template.js" --store "$S" publish "$HOME/tpl/dialog" --name confirm-dialog --version 1.0.0 --tags dialog,form >/dev/null
node "$BIN/pygubu-template.js" --store "$S" rate confirm-dialog 5 --review "works" >/dev/null
node "$BIN/pygubu-template.js" --store "$S" install confirm-dialog@^1.0.0 --dest "$WORK/ui" >/dev/null
node "$BIN/pygubu-analytics.js" --store "$S" record build_ms 48.5 --project login --at 2026-01-05T10:00:00Z >/dev/null
node "$BIN/pygubu-analytics.js" --store "$S" record build_ms 52 --project login --at 2026-01-06T10:00:00Z >/dev/null
node "$BIN/pygubu-db.js" --store "$S" dump "$WORK/events.ndjson" >/dev/null
rm -rf "$OUT" && mkdir -p "$OUT"
cp -a "$S/." "$OUT/store/"
cp "$WORK/events.ndjson" "$OUT/events.ndjson"
# LOCK, the info logs and the (empty, closed) write-ahead log are not part of the data
rm -f "$OUT/store/LOCK" "$OUT/store/LOG" "$OUT/store/LOG.old" "$OUT"/store/*.log
echo "wrote $OUT"
