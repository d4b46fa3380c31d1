#!/usr/bin/env bash
# CI: prove the install is complete on a fresh machine (issue 8, item 2).
#
# A new venv in a temp dir, `pip install --no-cache-dir` of this checkout (default extras only, not
# editable, from a copy of the working tree so the checkout gets no build/ litter), then that venv's
# `rag` with a temp RAG_HOME ingests one .html file, one .pdf and one URL served on 127.0.0.1, checks
# each was added, and asks a question the HTML file answers, checking the answer cites it.
# A dependency that only arrived transitively (lxml_html_clean, nltk, python-dateutil, ...) fails here.
#
#   .ci/fresh_install.sh            # PYTHON=python3.12 .ci/fresh_install.sh to pick the interpreter
#
# Exits non-zero on any failure; everything it made is removed on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
START=$(date +%s)
TMP="$(mktemp -d "${TMPDIR:-/tmp}/rag-fresh-install.XXXXXX")"
SERVER_PID=""

cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  echo "fresh-install [$(( $(date +%s) - START ))s]: removing $TMP"
  rm -rf "$TMP"
  if [ $rc -eq 0 ]; then
    echo "fresh-install: OK in $(( $(date +%s) - START ))s"
  else
    echo "fresh-install: FAILED (exit $rc) after $(( $(date +%s) - START ))s" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "fresh-install [$(( $(date +%s) - START ))s]: $*"; }
die() { echo "fresh-install: FAIL: $*" >&2; exit 1; }

# --- 1. a copy of the working tree (tracked + untracked, minus .gitignore'd) -------------------
step "copying the checkout to $TMP/src"
mkdir -p "$TMP/src"
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
     | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' \
     | tar --null -T - -cf -) | tar -xf - -C "$TMP/src"
else
  tar -C "$ROOT" --exclude=.venv --exclude=.git --exclude='*.egg-info' --exclude=build -cf - . | tar -xf - -C "$TMP/src"
fi

# --- 2. a new venv, the project installed with no pip cache -----------------------------------
if [ -n "${FRESH_INSTALL_REUSE_VENV:-}" ]; then  # debugging this script only: skip the slow install
  VENV="$FRESH_INSTALL_REUSE_VENV/bin"
  step "REUSING $VENV (FRESH_INSTALL_REUSE_VENV set: this run proves nothing about a fresh install)"
  "$VENV/pip" install --no-cache-dir --no-deps -q --force-reinstall "$TMP/src"
else
  step "creating a venv with $("$PYTHON" --version 2>&1)"
  "$PYTHON" -m venv "$TMP/venv"
  VENV="$TMP/venv/bin"
  T0=$(date +%s)
  step "pip install --no-cache-dir $TMP/src (default extras; torch and the model wheels are large)"
  "$VENV/pip" install --no-cache-dir -q --disable-pip-version-check "$TMP/src"
  step "pip install took $(( $(date +%s) - T0 ))s"
fi
"$VENV/pip" check || die "pip check found broken requirements"

# --- 3. inputs: an HTML file, a PDF, and a page on a local HTTP server -------------------------
export RAG_HOME="$TMP/home" RAG_ALLOW_PRIVATE_URLS=true HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
       GRADIO_ANALYTICS_ENABLED=False COLUMNS=200 NO_COLOR=1
unset RAG_LLM RAG_EMBEDDER OPENAI_API_KEY OPENAI_BASE_URL || true
mkdir -p "$TMP/in" "$TMP/site"
cat > "$TMP/in/lighthouse.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour lighthouse reopens after repairs</title>
<meta name="author" content="Ana Ruiz"><meta property="article:published_time" content="2024-05-02">
</head><body><nav>Home | News | Sport</nav>
<article><h1>Harbour lighthouse reopens after repairs</h1>
<p>The old harbour lighthouse in Porthmellin reopened on Thursday after eighteen months of repairs.</p>
<p>The restoration cost 2.4 million pounds and was paid for by the county council and a public appeal.</p>
<p>Its lamp, which can be seen 22 miles out to sea, was replaced with an LED lantern made in Cornwall.</p>
<p>Local fishermen said the light had been missed during the long winter storms.</p>
</article><footer>Copyright The Porthmellin Gazette</footer></body></html>
HTML
cat > "$TMP/site/market.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Farmers market moves to the town square</title></head>
<body><article><h1>Farmers market moves to the town square</h1>
<p>The weekly farmers market in Eastbridge will move to the town square from next month.</p>
<p>Organisers said the old car park site had become too small for the forty stalls that now trade there.</p>
<p>The market opens every Saturday from eight in the morning until one in the afternoon.</p>
</article></body></html>
HTML
# A tiny valid PDF written byte by byte (no library needed, so this cannot hide a missing one).
"$PYTHON" - "$TMP/in/bridge.pdf" <<'PY'
import sys
lines = ["Bridge closure planned for the summer",
         "The Kingsford road bridge will close for six weeks from July for resurfacing.",
         "Buses will be diverted through the village of Amwell during the works."]
ops = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(
    "(" + s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for s in lines) + " ET"
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n" % len(ops) + ops.encode() + b"\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]
out = bytearray(b"%PDF-1.4\n")
offsets = []
for n, body in enumerate(objects, start=1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY

PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
step "serving $TMP/site on http://127.0.0.1:$PORT/"
"$PYTHON" -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/site" >"$TMP/http.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 50); do
  "$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/market.html', timeout=1)" 2>/dev/null && break
  sleep 0.2
done
"$PYTHON" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/market.html', timeout=2)" \
  || die "the local HTTP server did not start (see $TMP/http.log)"

# --- 4. ingest each input with the fresh venv's `rag`; each must be added ------------------------
articles() { "$VENV/rag" stats | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["articles"])'; }

ingest_one() {  # ingest_one INPUT: exit 0, report says added=1 failed=0, one more article stored
  local input="$1" before after
  before=$(articles)
  step "rag ingest $input"
  if ! "$VENV/rag" ingest "$input" >"$TMP/ingest.out" 2>&1; then
    cat "$TMP/ingest.out" >&2
    die "rag ingest $input exited non-zero"
  fi
  cat "$TMP/ingest.out"
  # the report table: a header row naming the columns, then a row of counts
  "$PYTHON" - "$TMP/ingest.out" <<'PY' || die "the ingest report for $input does not say added=1, failed=0"
import re, sys
rows = [[c.strip() for c in re.split(r"[│┃|]", line)[1:-1]] for line in open(sys.argv[1], encoding="utf-8")]
header = next(r for r in rows if "added" in r and "failed" in r)
counts = next(r for r in rows[rows.index(header) + 1:] if r and all(c.isdigit() for c in r))
report = dict(zip(header, map(int, counts)))
print("  report:", report)
sys.exit(0 if report["added"] == 1 and report["failed"] == 0 else 1)
PY
  after=$(articles)
  [ "$after" -eq $((before + 1)) ] || die "rag stats shows $after articles after ingesting $input (expected $((before + 1)))"
}

ingest_one "$TMP/in/lighthouse.html"
ingest_one "$TMP/in/bridge.pdf"
ingest_one "http://127.0.0.1:$PORT/market.html"

step "rag list"
"$VENV/rag" list | tee "$TMP/list.out"
grep -q "lighthouse.html" "$TMP/list.out" || die "rag list does not show the HTML file"
grep -q "bridge.pdf" "$TMP/list.out" || die "rag list does not show the PDF"
grep -q "127.0.0.1:$PORT/market.html" "$TMP/list.out" || die "rag list does not show the URL"

# --- 5. a question the HTML file answers; the answer must cite it -------------------------------
QUESTION="How much did the restoration of the Porthmellin lighthouse cost?"
step "rag ask --offline --json \"$QUESTION\""
"$VENV/rag" ask --offline --json "$QUESTION" >"$TMP/answer.json" || die "rag ask exited non-zero"
"$PYTHON" - "$TMP/answer.json" <<'PY' || die "the answer does not cite the HTML file with the cost"
import json, sys
answer = json.load(open(sys.argv[1], encoding="utf-8"))
print("  answer:", answer.get("answer"))
cited = [c for c in answer.get("citations", []) if str(c.get("source", "")).endswith("lighthouse.html")]
for c in answer.get("citations", []):
    print("  cites:", c.get("source"), "|", c.get("quote"))
ok = not answer.get("refused") and cited and "2.4 million" in answer.get("answer", "")
sys.exit(0 if ok else 1)
PY
