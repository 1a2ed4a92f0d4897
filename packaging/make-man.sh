#!/usr/bin/env bash
# Writes topicfs(1) from the binary's own help, so the page never drifts
# from the CLI: help2man reads `topicfs --help` and `--version`, and every
# subcommand's --help becomes a part of COMMANDS.
# Usage: make-man.sh TOPICFS_BINARY OUTPUT.1 PACKAGING_DIR
set -euo pipefail
bin=$1 out=$2 here=$3
include=$(mktemp)
trap 'rm -f "$include"' EXIT

# The subcommands listed in a --help, one per line.
subcommands() { sed -n '/^Subcommands:$/,/^$/{/^  [a-z]/{s/^  \([^ ]*\).*/\1/;p}}'; }
# Escapes text for troff inside .nf: backslashes, and leading dots and quotes.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

emit() {  # emit WORDS...: the page part of `topicfs WORDS --help`, then of its subcommands
  local help
  help=$("$bin" "$@" --help)
  local subs
  subs=$(subcommands <<<"$help")
  if [ -z "$subs" ] || [ $# -eq 0 ]; then
    if [ $# -gt 0 ]; then
      printf '.SS "topicfs %s"\n.nf\n' "$*"
      roff <<<"$help"
      printf '.fi\n'
    fi
  fi
  local s
  for s in $subs; do emit "$@" "$s"; done
}

{
  printf '[COMMANDS]\n'
  emit
  cat "$here/man-extra.h2m"
} >"$include"
help2man --no-info --no-discard-stderr --section 1 \
  --name "a Kafka-style append-only log store as a filesystem" \
  --include "$include" --output "$out" "$bin"
