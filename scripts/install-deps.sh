#!/bin/bash
# Installs whatever Impulse needs to build and test that is missing, by
# Debian package name (idempotent; silent when everything is present).
# Server packages (nsd, unbound, dovecot) are installed without letting
# Debian start their system services (policy-rc.d exits 101 during the
# install). Postfix is never installed: its package is unpacked privately
# into .tools/postfix for smtp-sink/smtp-source/smtpd.
# Usage: install-deps.sh [fuzz]   (fuzz: also clang-14 and its sanitizer runtime)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(g++ cmake ninja-build pkg-config libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libunbound-dev librocksdb-dev libnghttp2-dev libpugixml-dev libfmt-dev libspdlog-dev
  libgtest-dev libgmock-dev prometheus-cpp-dev libhiredis-dev libopendkim-dev libcrypt-dev lld)
fuzz_pkgs=()
[ "${1:-}" = fuzz ] && fuzz_pkgs=(clang-14 libclang-rt-14-dev time)
test_pkgs=(nsd unbound python3 python3-pytest python3-aiosmtpd swaks openssl iproute2 procps
  dovecot-core dovecot-lmtpd python3-h2 python3-jwt curl prometheus nghttp2-client nghttp2-server redis-server opendkim-tools python3-dkim ldnsutils libnet-ssleay-perl nginx-light)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}" "${fuzz_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  prc=/usr/sbin/policy-rc.d
  had_prc=0; [ -e "$prc" ] && had_prc=1
  if [ $had_prc = 0 ]; then printf '#!/bin/sh\nexit 101\n' > "$prc"; chmod +x "$prc"; fi
  trap '[ $had_prc = 0 ] && rm -f "$prc"' EXIT
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/impulse-apt.log 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/impulse-apt.log 2>&1 \
      || { echo "install-deps: apt-get install failed, see /tmp/impulse-apt.log" >&2; tail -20 /tmp/impulse-apt.log >&2; exit 1; }
  fi
  # Nothing is stopped here: policy-rc.d (above) makes invoke-rc.d and
  # deb-systemd-invoke refuse every start during the install, which is how
  # these packages' postinsts start their services, so the install starts no
  # daemon, and one the operator runs already (their dovecot, unbound...) is
  # theirs to keep.
fi

# Postfix's smtp-sink / smtp-source / smtpd, unpacked privately.
pf="$top/.tools/postfix"
if [ ! -x "$pf/usr/sbin/smtp-sink" ]; then
  echo "install-deps: unpacking postfix privately into .tools/postfix" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download postfix >/dev/null 2>&1) || { apt-get update -q >/dev/null 2>&1; (cd "$tmp" && apt-get download postfix >/dev/null 2>&1); }
  deb=$(ls "$tmp"/postfix_*.deb | head -1)
  mkdir -p "$pf"
  dpkg-deb -x "$deb" "$pf"
  libs=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/[ (].*//;s/^ *//' | grep -E '^lib' || true)
  need=()
  for l in $libs; do dpkg-query -W -f='${Status}' "$l" 2>/dev/null | grep -q 'install ok installed' || need+=("$l"); done
  [ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
  rm -rf "$tmp"
fi
mkdir -p "$top/.tools/bin"
for t in smtp-sink smtp-source; do
  w="$top/.tools/bin/$t"
  [ -x "$w" ] && continue
  printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "%s/usr/sbin/%s" "$@"\n' "$pf" "$pf" "$t" > "$w"
  chmod 755 "$w"
done
