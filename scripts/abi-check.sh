#!/usr/bin/env bash
# The C ABI against its committed baseline (ffi/abi/):
#   libstellaops_signer.abi.xml  libabigail's description of the exported symbols (abidw), compared
#                                with abidiff: a removed symbol is a break, an added one is not
#   prototypes.txt               every function's prototype, as the C compiler reads the header
#                                (preprocessed, whitespace normalized): a changed or removed one is
#                                a break (libabigail sees types only through DWARF, which the
#                                shipped library does not carry, so the header says the types)
# A break fails unless the SONAME's major version moved (the header promises that a published
# function never changes within one). Additions pass; --bless writes the new baseline (do it when
# the ABI version grows, in the same commit).
# Usage: scripts/abi-check.sh [--bless] [LIBRARY.so]   (default: the test build's library)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bless=0
if [ "${1:-}" = --bless ]; then bless=1; shift; fi
triple="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
lib="${1:-$root/target/$triple/debug/libstellaops_signer.so}"
[ -f "$lib" ] || { echo "abi-check: no $lib (cargo build -p stellaops-signer-ffi)" >&2; exit 1; }
command -v abidiff >/dev/null || { echo "abi-check: abidiff missing (apt-get install abigail-tools)" >&2; exit 1; }
base="${ABI_BASELINE_DIR:-$root/ffi/abi}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

abidw --no-show-locs --no-corpus-path --out-file "$work/abi.xml" "$lib"
# One line per function prototype, from the preprocessed header.
cc -E -P -x c "$root/include/stellaops_signer.h" | tr '\n' ' ' | tr ';' '\n' |
  sed -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' -e 's/ *( */(/g' -e 's/ *) */)/g' -e 's/ *, */, /g' |
  grep -E '^[A-Za-z_][A-Za-z0-9_ *]* \**stellaops_[a-z0-9_]+\(' | LC_ALL=C sort >"$work/prototypes.txt"
[ -s "$work/prototypes.txt" ] || { echo "abi-check: read no prototype from the header" >&2; exit 1; }

if [ "$bless" = 1 ]; then
  cp "$work/abi.xml" "$base/libstellaops_signer.abi.xml"
  cp "$work/prototypes.txt" "$base/prototypes.txt"
  echo "abi-check: baseline written ($(wc -l <"$base/prototypes.txt") functions)"
  exit 0
fi

soname_of() { sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$1" | head -1; }
old_soname=$(soname_of "$base/libstellaops_signer.abi.xml")
new_soname=$(soname_of "$work/abi.xml")
status=0
set +e
abidiff --no-show-locs "$base/libstellaops_signer.abi.xml" "$work/abi.xml" >"$work/abidiff.txt"
code=$?
set -e
# abidiff's exit status is a bit field: 1 error, 2 usage, 4 a change, 8 an incompatible change.
if [ $((code & 3)) -ne 0 ]; then
  cat "$work/abidiff.txt" >&2
  echo "abi-check: abidiff failed ($code)" >&2
  exit 1
fi
if [ $((code & 8)) -ne 0 ]; then
  echo "abi-check: abidiff reports an incompatible change:" >&2
  cat "$work/abidiff.txt" >&2
  status=1
elif [ $((code & 4)) -ne 0 ]; then
  echo "abi-check: compatible changes (additions):"
  grep -E "Added|added" "$work/abidiff.txt" | head -20 || true
fi
changed=$(LC_ALL=C comm -23 "$base/prototypes.txt" "$work/prototypes.txt")
if [ -n "$changed" ]; then
  echo "abi-check: these published prototypes are gone or changed:" >&2
  echo "$changed" | sed 's/^/  /' >&2
  status=1
fi
added=$(LC_ALL=C comm -13 "$base/prototypes.txt" "$work/prototypes.txt" | wc -l)
if [ "$status" -ne 0 ]; then
  if [ "$old_soname" != "$new_soname" ]; then
    echo "abi-check: a break, with the SONAME moving from $old_soname to $new_soname: allowed; bless the new baseline"
    exit 0
  fi
  echo "abi-check: the ABI broke within $new_soname; restore the function, or bump the major version" >&2
  exit 1
fi
echo "abi-check: no break against the baseline ($(wc -l <"$base/prototypes.txt") functions, $added added since)"
