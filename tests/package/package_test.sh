#!/usr/bin/env bash
# The Debian package: builds it with CPack from the build tree, checks its control fields, contents
# and maintainer script with dpkg-deb and lintian, validates the desktop entry, AppStream metainfo
# and man pages, then unpacks it into an empty root and runs the installed rxdesk-cli there (its
# drug catalogue and translations found from /usr/share, the store created with SQLCipher 4).
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$work/out/rxdesk_${version}_amd64.deb"
[ -f "$deb" ] || fail "expected $deb; cpack made: $(ls "$work/out")"

# Control fields.
[ "$(dpkg-deb -f "$deb" Package)" = rxdesk ] || fail "Package is not rxdesk"
depends=$(dpkg-deb -f "$deb" Depends)
for want in "libsqlcipher1 (>= 4.6.1)" tesseract-ocr-chi-sim tesseract-ocr-eng libtesseract5 \
            libwxgtk3.2-1 libcrypto++8 libopencv-core406; do
  grep -qF -- "$want" <<<"$depends" || fail "Depends lacks '$want': $depends"
done
! grep -q "libsqlite3" <<<"$depends" || fail "Depends names libsqlite3: $depends"
# (Read into a variable first: `grep -q` stopping early would fail the pipe under pipefail.)
description=$(dpkg-deb -f "$deb" Description)
grep -q "bookworm-backports" <<<"$description" ||
  fail "the description does not say SQLCipher comes from bookworm-backports"

# Contents.
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents"
for f in ./usr/bin/rxdesk ./usr/bin/rxdesk-cli ./usr/share/rxdesk/drugs.tsv \
         ./usr/share/locale/zh_CN/LC_MESSAGES/rxdesk.mo \
         ./usr/share/applications/cn.rxdesk.Workstation.desktop \
         ./usr/share/metainfo/cn.rxdesk.Workstation.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/cn.rxdesk.Workstation.svg \
         ./usr/share/man/man1/rxdesk.1.gz ./usr/share/man/man1/rxdesk-cli.1.gz \
         ./usr/share/doc/rxdesk/copyright ./usr/share/doc/rxdesk/changelog.gz; do
  grep -qxF "$f" "$work/contents" || fail "the package lacks $f"
done

# Lintian: no errors, no warnings (informational tags are listed but allowed).
lintian --fail-on error,warning --tag-display-limit 0 "$deb" 2>"$work/lintian.err" ||
  { cat "$work/lintian.err" >&2; fail "lintian reports errors or warnings"; }

root="$work/root"
dpkg-deb -x "$deb" "$root"
desktop-file-validate "$root/usr/share/applications/cn.rxdesk.Workstation.desktop" >"$work/desktop.log" 2>&1 ||
  { cat "$work/desktop.log" >&2; fail "desktop-file-validate failed"; }
! grep -q "error:" "$work/desktop.log" || { cat "$work/desktop.log" >&2; fail "desktop entry errors"; }
appstreamcli validate --no-net "$root/usr/share/metainfo/cn.rxdesk.Workstation.metainfo.xml" ||
  fail "appstreamcli validate failed"
for page in rxdesk rxdesk-cli; do
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' man --warnings -l -Tutf8 "$root/usr/share/man/man1/$page.1.gz" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man page $page.1 has warnings: $warnings"
done

# Every command of the installed rxdesk-cli is in its man page.
cli="$root/usr/bin/rxdesk-cli"
zcat "$root/usr/share/man/man1/rxdesk-cli.1.gz" >"$work/man.txt"
"$cli" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NF && $1 != "Subcommands:" {print $1}' >"$work/commands"
[ -s "$work/commands" ] || fail "rxdesk-cli --help lists no commands"
while read -r c; do
  grep -q "^\.B $c\b" "$work/man.txt" || fail "command '$c' is not in rxdesk-cli.1"
done <"$work/commands"

# The installed programs work from their own root: a store is created and opened, and the OCR
# path finds the drug catalogue in /usr/share/rxdesk.
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" RXDESK_PASSWORD=pkg-test-pw
mkdir -p "$HOME"
"$cli" --db "$work/store.rxdb" init --admin boss >/dev/null || fail "installed rxdesk-cli init failed"
"$cli" --db "$work/store.rxdb" --user boss status --json >"$work/status.json" ||
  fail "installed rxdesk-cli status failed"
grep -q '"cipher_version":"4\.' "$work/status.json" || fail "no SQLCipher 4: $(cat "$work/status.json")"
convert -size 400x300 xc:white "$work/blank.png"
"$cli" ocr "$work/blank.png" --json >"$work/ocr.json" 2>"$work/ocr.err" ||
  { cat "$work/ocr.err" >&2; fail "installed rxdesk-cli ocr failed"; }
libs=$(ldd "$root/usr/bin/rxdesk")
! grep -q "not found" <<<"$libs" || fail "rxdesk has unresolved libraries: $libs"

# The preinst explains the backports requirement when libsqlcipher1 is missing.
dpkg-deb -e "$deb" "$work/control"
mkdir "$work/fakebin"
printf '#!/bin/sh\nexit 1\n' >"$work/fakebin/dpkg-query"
chmod +x "$work/fakebin/dpkg-query"
if PATH="$work/fakebin:$PATH" sh "$work/control/preinst" install >"$work/preinst.out" 2>&1; then
  fail "preinst accepted a system without libsqlcipher1"
fi
grep -q "bookworm-backports" "$work/preinst.out" || fail "preinst message: $(cat "$work/preinst.out")"
sh "$work/control/preinst" install || fail "preinst refused although libsqlcipher1 is installed"
echo "package_test: $deb passes ($(stat -c %s "$deb") bytes)"
