#!/bin/bash
# DKIM signing cost (issue 20, SPEC §19): the relay benchmark
# (bench/relay/run.sh: smtp-source, 20 sessions, 4 KiB, durable spool,
# smtp-sink) with signing off, RSA-2048 and Ed25519, alternated rep by rep
# in one sitting with the same impulsed binary, so that machine load hits
# the three alike.
#
#   bench/dkim/run.sh [--reps R] [-n N] [--wait-load L] [--impulsed PATH]
#
# smtp-source's messages carry `From: <from@bench.test>`; the configuration
# appended for the signing runs is an opendkim stanza with dkim_domain
# "bench.test" and Opendkim_Sign = true (relaxed/relaxed, the default header
# list), the keys generated here with openssl into a temporary directory.
# RESULT lines go to bench/relay/results.log with mta=impulse (off),
# impulse-dkim-rsa2048 and impulse-dkim-ed25519; summarize with
#   /work/shared/bench/lib/summarize.py bench/relay/results.log
# Before the sitting one message per algorithm is signed by a short-lived
# impulsed and checked with dkimpy (the public key given directly), so the
# runs are known to sign.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
reps=3 n=20000 wait_load="" impulsed=$ROOT/build/release/apps/impulsed/impulsed
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps=$2; shift 2 ;;
        -n) n=$2; shift 2 ;;
        --wait-load) wait_load=$2; shift 2 ;;
        --impulsed) impulsed=$2; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

keys=$(mktemp -d "${TMPDIR:-/var/tmp}/impulse-dkim-bench.XXXXXX")
trap 'rm -rf "$keys"' EXIT
openssl genrsa -out "$keys/rsa.pem" 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$keys/ed.pem"
for alg in rsa ed; do
    digest=rsa-sha256
    [ $alg = ed ] && digest=ed25519-sha256
    cat > "$keys/$alg.conf" <<CONF
Opendkim_Sign = true
opendkim "opendkim1" {
  dkim_domain "bench.test" {
    selector = "$alg"
    key = "$keys/$alg.pem"
    digest = "$digest"
  }
}
CONF
done

# Sanity: the binary signs and dkimpy verifies (one message per algorithm).
/usr/bin/python3 - "$impulsed" "$keys" <<'PY'
import base64, os, smtplib, socket, subprocess, sys, tempfile, time
import dkim
from cryptography.hazmat.primitives import serialization
impulsed, keys = sys.argv[1], sys.argv[2]
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
for alg in ("rsa", "ed"):
    d = tempfile.mkdtemp(dir=keys)
    sink_port, port = free(), free()
    got = []
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", sink_port)); srv.listen(1); srv.settimeout(30)
    conf = (f'Spoolbase = "spool"\nGateway = "127.0.0.1:{sink_port}"\n'
            f'ESMTP_Listener {{\n  Relay_Hosts = ( "127.0.0.0/8" )\n  Listen "127.0.0.1:{port}" {{ }}\n}}\n'
            'ec_logger "ec_logger" {\n  mainlog = "mainlog.ec"\n  paniclog = "paniclog.ec"\n}\n'
            + open(os.path.join(keys, alg + ".conf")).read())
    open(os.path.join(d, "c.conf"), "w").write(conf)
    p = subprocess.Popen([impulsed, "-c", "c.conf"], cwd=d, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while True:
            try:
                c = smtplib.SMTP("127.0.0.1", port, timeout=10); break
            except OSError:
                if time.time() > deadline: raise
                time.sleep(0.1)
        c.sendmail("from@bench.test", ["to@dest.test"],
                   b"From: <from@bench.test>\r\nTo: <to@dest.test>\r\nDate: Sun, 6 Dec 2026 12:00:00 +0000\r\n\r\nhello\r\n")
        c.quit()
        conn, _ = srv.accept(); conn.settimeout(30); f = conn.makefile("rwb")
        def reply(t): f.write(t + b"\r\n"); f.flush()
        reply(b"220 sink")
        data = b""
        while True:
            line = f.readline()
            if not line: break
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"): reply(b"250 sink")
            elif cmd == b"DATA":
                reply(b"354 go")
                while (l := f.readline()) not in (b".\r\n", b""): data += l[1:] if l.startswith(b"..") else l
                reply(b"250 ok")
            elif cmd == b"QUIT": reply(b"221 bye"); break
            else: reply(b"250 ok")
        conn.close()
    finally:
        p.terminate(); p.wait(30)
    pk = serialization.load_pem_private_key(open(os.path.join(keys, alg + ".pem"), "rb").read(), None).public_key()
    if alg == "ed":
        rec = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(pk.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    else:
        rec = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pk.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert b"DKIM-Signature" in data, data
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: rec), data
    print(f"sanity: {alg} signature verified", file=sys.stderr)
PY

relay=("$HERE/../relay/run.sh" --reps 1 -n "$n" --only impulse --impulsed "$impulsed" ${wait_load:+--wait-load "$wait_load"})
for rep in $(seq 1 "$reps"); do
    log "rep $rep/$reps: signing off"
    "${relay[@]}"
    log "rep $rep/$reps: RSA-2048"
    "${relay[@]}" --append-conf "$keys/rsa.conf" --mta-name impulse-dkim-rsa2048
    log "rep $rep/$reps: Ed25519"
    "${relay[@]}" --append-conf "$keys/ed.conf" --mta-name impulse-dkim-ed25519
done
