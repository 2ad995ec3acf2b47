#!/usr/bin/env bash
# Make sure what the test suite needs is there: Chromium, the libraries WeasyPrint renders
# invoices with (Pango, fonts), PostgreSQL and Redis on loopback.
#   scripts/services.sh [chromium] [pdf] [pg] [redis]     (no argument: all four)
#   scripts/services.sh faketime                          (libfaketime, for `make test-dates`)
# Installs/starts things only when running as root; otherwise it only checks.
set -euo pipefail

is_root() { [ "$(id -u)" = 0 ]; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_port() {
    local i
    for i in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
    return 1
}

ensure_chromium() {
    [ -x /usr/bin/chromium ] && return 0
    if is_root; then
        echo "Installing chromium (apt-get)..."
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq chromium >/dev/null
    else
        echo "warning: /usr/bin/chromium missing (not root: browser tests will be skipped)" >&2
    fi
}

ensure_pdf() {
    # WeasyPrint (invoice PDFs) loads Pango through ctypes; DejaVu is the invoices' font
    if ldconfig -p | grep -q "libpangoft2-1.0.so.0" && [ -d /usr/share/fonts/truetype/dejavu ]; then
        return 0
    fi
    if is_root; then
        echo "Installing Pango and fonts for invoice PDFs (apt-get)..."
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
            fonts-dejavu-core >/dev/null
    else
        echo "warning: Pango or DejaVu fonts missing (not root): invoice PDFs will fail" >&2
    fi
}

ensure_faketime() {
    command -v faketime >/dev/null && return 0
    if is_root; then
        echo "Installing faketime (apt-get)..."
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq faketime >/dev/null
    else
        echo "faketime is missing (not root): apt-get install faketime" >&2
        exit 1
    fi
}

ensure_pg() {
    port_open 127.0.0.1 5432 && return 0
    if is_root && command -v pg_ctlcluster >/dev/null; then
        echo "Starting PostgreSQL..."
        # shellcheck disable=SC2046
        pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
    fi
    wait_port 127.0.0.1 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
}

ensure_redis() {
    port_open 127.0.0.1 6379 && return 0
    if is_root && command -v redis-server >/dev/null; then
        echo "Starting Redis..."
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
            --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
    fi
    wait_port 127.0.0.1 6379 || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
}

[ $# -gt 0 ] || set -- chromium pdf pg redis
for what in "$@"; do
    case "$what" in
        chromium) ensure_chromium ;;
        pdf) ensure_pdf ;;
        faketime) ensure_faketime ;;
        pg) ensure_pg ;;
        redis) ensure_redis ;;
        *) echo "unknown service: $what" >&2; exit 2 ;;
    esac
done
