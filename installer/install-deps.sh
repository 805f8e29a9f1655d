#!/usr/bin/env bash
# Installs exactly the Debian 12 packages rxdesk needs to build, test and run.
# Idempotent: safe to run again; adds Debian's bookworm-backports suite only when it is missing,
# because SQLCipher 4.6.1 lives there (bookworm's own 3.4.1 is from 2017: SHA-1 HMAC, no FTS5).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps.sh: must run as root (it calls apt-get)" >&2
  exit 1
fi
if ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
  echo "install-deps.sh: warning: this script targets Debian 12 (bookworm)" >&2
fi

export DEBIAN_FRONTEND=noninteractive

has_backports() {
  grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! has_backports; then
  echo "install-deps.sh: adding Debian bookworm-backports (for SQLCipher 4.6.1)"
  cat > /etc/apt/sources.list.d/debian-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -q
elif [ ! -d /var/lib/apt/lists ] || ! ls /var/lib/apt/lists/*bookworm-backports* >/dev/null 2>&1; then
  apt-get update -q
fi

# Build tools.
BUILD=(build-essential cmake ninja-build pkg-config gettext git)
# Libraries rxdesk links. libssl-dev: OpenSSL's libcrypto does the curve arithmetic of ECDSA and
# SM2 verification (crypto/CMakeLists.txt); at run time it is the libssl3 SQLCipher needs anyway.
LIBS=(libwxgtk3.2-dev libtesseract-dev libleptonica-dev libopencv-dev libopencv-contrib-dev
      libcrypto++-dev libssl-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
      libzbar-dev libdmtx-dev libcairo2-dev libpango1.0-dev libpq-dev)
# The chain registry (docs/registry.md): PostgreSQL 15's server and client. The registry's tests
# start a throw-away cluster of their own; installer/registry/rxdesk-registry sets up the real one.
REGISTRY=(postgresql-15 postgresql-client-15)
# wxWidgets' own translations (stock buttons, file dialogs) for the zh_CN interface.
I18N=(wx3.2-i18n)
# Runtime data: OCR models and the CJK fonts used to render demo and test prescriptions.
DATA=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk fonts-wqy-microhei
      fonts-wqy-zenhei)
# Tests and benchmarks: GoogleTest/Mock, Google Benchmark, zint (draws test barcodes), a headless
# X server and screenshots, openssl for the independent signature cross-check, package validators,
# pdftotext (reads the text back out of generated vouchers), clang with its sanitizer and libFuzzer
# runtimes (the fuzz preset).
TEST=(libgtest-dev libgmock-dev libbenchmark-dev libzint-dev xvfb xauth x11-utils imagemagick openssl
      desktop-file-utils appstream poppler-utils lintian clang libclang-rt-14-dev)

missing=()
for p in "${BUILD[@]}" "${LIBS[@]}" "${REGISTRY[@]}" "${DATA[@]}" "${I18N[@]}" "${TEST[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# SQLCipher: always the backports build (4.6.x). Never plain libsqlite3 for the store.
want=$(apt-cache policy libsqlcipher-dev | awk '/bookworm-backports/{print prev} {prev=$1}' | head -1)
have=$(dpkg-query -W -f='${Version}' libsqlcipher-dev 2>/dev/null || true)
case "$have" in
  4.*) ;;
  *) apt-get install -y -q --no-install-recommends -t bookworm-backports libsqlcipher-dev libsqlcipher1 ;;
esac
have=$(dpkg-query -W -f='${Version}' libsqlcipher-dev 2>/dev/null || true)
case "$have" in
  4.*) echo "install-deps.sh: SQLCipher $have ready" ;;
  *) echo "install-deps.sh: SQLCipher 4.x from bookworm-backports could not be installed (have '${have:-none}', want ${want:-4.6.1})" >&2; exit 1 ;;
esac
