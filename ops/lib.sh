# Shared shell functions for ops/run, ops/test and ops/bench. Source it; do not run it.
# A private PostgreSQL cluster lives in one folder: data/ (the cluster), run/ (its unix
# socket), log (its log). It listens on the socket only, never on TCP.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SINTRA_ROOT="$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
# A table row padded by characters, not bytes: printf counts bytes, so «ñ», «×» or «—» would shift a row.
# table_row WIDTHS TEXT…, WIDTHS such as "-44 14 16 8 0": negative left-aligns, 0 prints the text as is.
table_row() {
    local LC_ALL=C.UTF-8
    local widths=($1) text width fill i=0; shift
    for text in "$@"; do
        width=${widths[$i]:-0}; i=$((i + 1))
        fill=$(( ${width#-} - ${#text} )); (( fill < 0 )) && fill=0
        [ "$i" -gt 1 ] && printf ' '
        if [ "${width:0:1}" = - ]; then printf '%s%*s' "$text" "$fill" ''; else printf '%*s%s' "$fill" '' "$text"; fi
    done
    printf '\n'
}

# Installs Debian packages with apt.
apt_install() {
    say "Instalando paquetes del sistema: $*"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# Installs what the project needs from Debian's packages, only when something is missing.
ensure_packages() {
    local missing=()
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    pkg-config --exists libcrypto 2>/dev/null || missing+=(libssl-dev)
    [ -n "$(pg_bin initdb 2>/dev/null)" ] || missing+=(postgresql)
    command -v pgbench >/dev/null || missing+=(postgresql-contrib)
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
    command -v swift >/dev/null || { echo "Falta Swift 6 (swift) en el PATH." >&2; exit 1; }
}

# The reference implementations our outputs are checked against (PyPI): jsonschema for the
# definitions, openapi-spec-validator for the contract, frictionless 5 for the open-data export,
# scipy (HiGHS) for the attacker's audit of suppressed statistics (ops/audit-suppression.py); openpyxl
# for the reports' spreadsheets; openapi-python-client, the generator integrators use, for the contract.
ensure_python_jsonschema() {
    python3 -c 'import jsonschema, referencing, openapi_spec_validator, frictionless, scipy.optimize, openpyxl, openapi_python_client
import sys; sys.exit(0 if frictionless.__version__.startswith("5.") else 1)' 2>/dev/null && command -v openapi-python-client >/dev/null && return
    say "Instalando jsonschema, openapi-spec-validator, frictionless 5, scipy, openpyxl y openapi-python-client (PyPI)"
    local wanted=('jsonschema>=4.18' 'openapi-spec-validator>=0.7' 'frictionless>=5,<6' 'scipy>=1.9' 'openpyxl>=3.1' 'openapi-python-client>=0.29,<0.30')
    python3 -m pip install --quiet --disable-pip-version-check "${wanted[@]}" \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${wanted[@]}"
}

# The browser tests' tools, only when missing: Chromium and its driver from Debian, Selenium and
# axe-core (axe-selenium-python ships its script; nothing is downloaded at test time) from PyPI.
ensure_browser() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        say "Instalando chromium y chromium-driver (Debian)"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
    python3 -c 'import selenium, axe_selenium_python' 2>/dev/null && return
    say "Instalando selenium y axe-selenium-python (PyPI)"
    python3 -m pip install --quiet --disable-pip-version-check selenium axe-selenium-python \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages selenium axe-selenium-python
}

# Path of a PostgreSQL server binary (initdb, pg_ctl, postgres), newest version first.
pg_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$found" ] && [ -x "$found/$1" ]; then echo "$found/$1"; return; fi
    command -v "$1"
}

# Runs a command as the cluster's owner: as root, the unprivileged 'postgres' user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# cluster_start DIR: creates the cluster on first use, starts it, waits until it answers.
cluster_start() {
    local dir="$1"
    mkdir -p "$dir/run" "$dir/data"
    touch "$dir/log"
    if [ "$(id -u)" -eq 0 ]; then
        # Only the cluster's own files go to the postgres account: the folder may also hold the
        # keyring and the first password, which the database server's account must never read.
        as_owner true
        chown -R postgres "$dir/run" "$dir/data" "$dir/log"
        chmod 711 "$dir"
    else
        chmod 700 "$dir"
    fi
    chmod 700 "$dir/data"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "Creando el clúster de PostgreSQL en $dir/data"
        as_owner "$(pg_bin initdb)" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # Unix socket only; durability settings stay at PostgreSQL's defaults (fsync on).
    as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir/run' -c max_connections=500" start >/dev/null
    export PGHOST="$dir/run"
}

cluster_stop() {
    local dir="$1"
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -m fast -w stop >/dev/null || true
}

# The roles SINTRA logs in as (README "Database roles"), created once by the cluster's superuser;
# none of them is a superuser. sintra_owner owns the databases and their objects and only runs
# `sintra migrate`; sintra_app serves requests; sintra_proyector writes the projections.
ensure_roles() {
    psql -h "$PGHOST" -U postgres -d postgres -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_owner') THEN CREATE ROLE sintra_owner LOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_app') THEN CREATE ROLE sintra_app LOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sintra_proyector') THEN CREATE ROLE sintra_proyector LOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
SQL
}

# Creates database NAME in the cluster at PGHOST, owned by sintra_owner, if it does not exist. One
# made by an earlier version (migrated by the superuser, who owns its objects) is handed over to
# sintra_owner once, so that the owner can go on migrating it.
ensure_database() {
    local name="$1"
    ensure_roles
    local owner
    owner=$(psql -h "$PGHOST" -U postgres -d postgres -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$name'")
    if [ -z "$owner" ]; then
        psql -h "$PGHOST" -U postgres -d postgres -qc "CREATE DATABASE \"$name\" OWNER sintra_owner" >/dev/null
    elif [ "$owner" != "sintra_owner" ]; then
        say "Entregando la base $name al rol sintra_owner (antes era de $owner)"
        psql -h "$PGHOST" -U postgres -d "$name" -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER DATABASE "$name" OWNER TO sintra_owner;
DO \$\$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS object FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO sintra_owner', r.object);
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS object FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO sintra_owner', r.object);
    END LOOP;
    -- Projections are rebuilt by sintra_proyector after migration 0013; the owner must be able to drop them.
    FOR r IN SELECT nspname FROM pg_namespace WHERE nspname ~ '^(proj|replay|verificacion)_' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO sintra_owner', r.nspname);
    END LOOP;
END
\$\$;
SQL
    fi
}

# --- Backups (pgBackRest): README "Operations: backups and restore" -----------------------------
# The repository of a cluster folder DIR is $SINTRA_RESPALDOS or DIR/respaldos (put it on another disk
# or machine in a deployment); its configuration is DIR/pgbackrest.conf; the stanza is "sintra".
STANZA=sintra

ensure_pgbackrest() { command -v pgbackrest >/dev/null || apt_install pgbackrest; }

backup_repo() { echo "${SINTRA_RESPALDOS:-$1/respaldos}"; }

# pgbackrest as the cluster's owner with DIR's configuration: pgbackrest_as DIR ARGS…
pgbackrest_as() {
    local dir="$1"; shift
    as_owner pgbackrest --config="$dir/pgbackrest.conf" --stanza="$STANZA" "$@"
}

# backup_configure DIR: pgBackRest's configuration, and WAL archiving on the cluster in DIR/data (an
# included file, respaldo.conf). Restarts the cluster once if it runs without archiving (archive_mode
# only changes at start), then creates the stanza. Call it with the cluster running and nothing else
# connected yet (ops/run does, right after cluster_start).
backup_configure() {
    local dir="$1" repo
    repo="$(backup_repo "$dir")"
    ensure_pgbackrest
    mkdir -p "$repo" "$dir/respaldos-registro"
    # Full backups kept (each with the WAL to restore to any moment since it began); differentials
    # kept per full. Older ones and their WAL are expired after each backup.
    cat > "$dir/pgbackrest.conf" <<CONF
[global]
repo1-path=$repo
repo1-retention-full=${SINTRA_RESPALDOS_COMPLETOS:-2}
repo1-retention-diff=${SINTRA_RESPALDOS_DIFERENCIALES:-7}
log-path=$dir/respaldos-registro
lock-path=$dir/respaldos-registro
log-level-console=warn
start-fast=y
process-max=2
compress-type=gz
compress-level=3

[$STANZA]
pg1-path=$dir/data
pg1-socket-path=$dir/run
pg1-user=postgres
CONF
    cat > "$dir/data/respaldo.conf" <<CONF
# Written by ops/lib.sh backup_configure: WAL archiving into pgBackRest's repository.
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$dir/pgbackrest.conf --stanza=$STANZA archive-push %p'
archive_timeout = 60
CONF
    # A cluster put in service from ops/restore carries archive_mode=off (the copy did not archive): on again here.
    [ ! -f "$dir/data/postgresql.auto.conf" ] || sed -i '/^archive_mode/d' "$dir/data/postgresql.auto.conf"
    grep -q "^include_if_exists = 'respaldo.conf'" "$dir/data/postgresql.conf" \
        || echo "include_if_exists = 'respaldo.conf'" >> "$dir/data/postgresql.conf"
    if [ "$(id -u)" -eq 0 ]; then
        # Owner and group postgres: files of group root come back from a restore as "unknown group".
        chown -R postgres: "$repo" "$dir/respaldos-registro" "$dir/data"
        chown postgres "$dir/pgbackrest.conf"
    fi
    chmod 700 "$repo"
    if [ "$(psql -h "$dir/run" -U postgres -d postgres -tAXc 'SHOW archive_mode')" != "on" ]; then
        say "Activando el archivo de WAL (reinicio único del clúster)"
        cluster_stop "$dir"
        cluster_start "$dir"
    fi
    pgbackrest_as "$dir" stanza-create >/dev/null
}

# Bytes as a person reads them.
human_size() { numfmt --to=iec --suffix=iB "${1:-0}"; }

# --- High availability (Patroni + etcd): README "Operations: high availability" ---------------------
# A three-node cluster on loopback in one folder DIR: etcd/ (the consensus store Patroni keeps the
# leader lock in), n1/ n2/ n3/ (each node's Patroni configuration, data and log). Ports from
# $SINTRA_HA_PUERTO (5441): PostgreSQL 5441–5443, Patroni's REST API 8441–8443, etcd 23790/23800.
# Every process runs as the cluster's owner and is stopped by the PID it wrote. Trust authentication
# on 127.0.0.1 is for tests and drills only; a deployment uses scram-sha-256 and TLS between machines.
HA_NODES=(n1 n2 n3)
ha_pg_port() { echo $(( ${SINTRA_HA_PUERTO:-5441} + ${1#n} - 1 )); }
ha_rest_port() { echo $(( $(ha_pg_port "$1") + 3000 )); }
ha_etcd_port() { echo $(( ${SINTRA_HA_PUERTO:-5441} + 18349 )); }

ensure_patroni() { command -v patroni >/dev/null && command -v etcd >/dev/null || apt_install patroni etcd-server etcd-client; }

# The libpq multi-host URL of every node: ha_url ROLE [ATTRS] (ATTRS: read-write by default, the
# primary wherever it is; prefer-standby for reads that may go to a replica).
ha_url() {
    local hosts="" ports="" node
    for node in "${HA_NODES[@]}"; do hosts+="${hosts:+,}127.0.0.1"; ports+="${ports:+,}$(ha_pg_port "$node")"; done
    echo "host=$hosts port=$ports dbname=sintra user=$1 target_session_attrs=${2:-read-write} connect_timeout=2"
}

# Runs COMMAND in the background as the cluster's owner, its PID in PIDFILE and output in LOG.
ha_spawn() {
    local pidfile="$1" log="$2"; shift 2
    # In a subshell, runuser silenced: neither the calling shell nor runuser reports a killed process.
    ( as_owner sh -c 'echo $$ > "$1"; log="$2"; shift 2; exec "$@" >>"$log" 2>&1' sh "$pidfile" "$log" "$@" >/dev/null 2>&1 & )
}

# A node's Patroni configuration: synchronous replication (a commit returns once the synchronous
# standby has it, so a failover to that standby loses no acknowledged write), ttl 10 s.
ha_node_config() {
    local dir="$1" node="$2"
    cat > "$dir/$node/patroni.yml" <<YML
scope: sintra
name: $node
restapi: {listen: 127.0.0.1:$(ha_rest_port "$node"), connect_address: 127.0.0.1:$(ha_rest_port "$node")}
etcd3: {hosts: 127.0.0.1:$(ha_etcd_port)}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters: {max_connections: 200, wal_log_hints: 'on', max_wal_senders: 10, max_replication_slots: 10}
  initdb: [{encoding: UTF8}, {locale: C.UTF-8}]
  pg_hba: [host replication repl 127.0.0.1/32 trust, host all all 127.0.0.1/32 trust, local all all trust]
postgresql:
  listen: 127.0.0.1:$(ha_pg_port "$node")
  connect_address: 127.0.0.1:$(ha_pg_port "$node")
  data_dir: $dir/$node/data
  bin_dir: $(dirname "$(pg_bin postgres)")
  authentication:
    replication: {username: repl, password: drill}
    superuser: {username: postgres, password: drill}
    rewind: {username: postgres, password: drill}
  parameters: {unix_socket_directories: '$dir/$node'}
YML
}

# ha_start DIR: etcd and the three nodes (created on first use); waits for a leader, a synchronous
# standby and a streaming replica. PGHOST/PGPORT then point at the leader.
ha_start() {
    local dir="$1" node
    ensure_patroni
    mkdir -p "$dir/etcd"
    for node in "${HA_NODES[@]}"; do mkdir -p "$dir/$node"; done
    if [ "$(id -u)" -eq 0 ]; then
        as_owner true
        chown -R postgres "$dir/etcd" "${HA_NODES[@]/#/$dir/}"
        chmod 711 "$dir"
    fi
    chmod 700 "$dir/etcd" "${HA_NODES[@]/#/$dir/}"
    if ! ha_alive "$dir/etcd/etcd.pid"; then
        local client="http://127.0.0.1:$(ha_etcd_port)" peer="http://127.0.0.1:$(( $(ha_etcd_port) + 10 ))"
        ha_spawn "$dir/etcd/etcd.pid" "$dir/etcd/etcd.log" etcd --name e1 --data-dir "$dir/etcd/data" \
            --listen-client-urls "$client" --advertise-client-urls "$client" \
            --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "e1=$peer"
        ha_wait 30 "etcd" curl -sf "$client/health"
    fi
    for node in "${HA_NODES[@]}"; do
        ha_node_config "$dir" "$node"
        ha_alive "$dir/$node/patroni.pid" || ha_spawn "$dir/$node/patroni.pid" "$dir/$node/patroni.log" patroni "$dir/$node/patroni.yml"
    done
    ha_wait 120 "un líder y una réplica síncrona" ha_ready "$dir"
    export PGHOST=127.0.0.1 PGPORT
    PGPORT=$(ha_pg_port "$(ha_leader "$dir")")
}

ha_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ha_wait SECONDS WHAT COMMAND…: retries COMMAND every half second until it succeeds, or fails naming WHAT.
ha_wait() {
    local seconds="$1" what="$2"; shift 2
    local deadline=$(( $(date +%s) + seconds ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "ERROR: $what no respondió en $seconds s" >&2; return 1; }
        sleep 0.5
    done
}

# The node Patroni calls leader (its REST /primary answers 200), or nothing.
ha_leader() {
    local node
    for node in "${HA_NODES[@]}"; do
        curl -sf -o /dev/null "http://127.0.0.1:$(ha_rest_port "$node")/primary" && { echo "$node"; return 0; }
    done
    return 1
}

# True when a leader, a synchronous standby and every other node streaming are all in place.
ha_ready() {
    local dir="$1" node leader=0 sync=0 replicas=0
    for node in "${HA_NODES[@]}"; do
        local rest="http://127.0.0.1:$(ha_rest_port "$node")"
        if curl -sf -o /dev/null "$rest/primary"; then leader=$(( leader + 1 ))
        elif curl -sf -o /dev/null "$rest/replica"; then
            replicas=$(( replicas + 1 ))
            curl -sf -o /dev/null "$rest/sync" && sync=$(( sync + 1 ))
        fi
    done
    [ "$leader" -eq 1 ] && [ "$sync" -ge 1 ] && [ "$replicas" -eq $(( ${#HA_NODES[@]} - 1 )) ]
}

# ha_stop DIR: the Patroni processes (each stops its PostgreSQL), any PostgreSQL left without its
# Patroni (a drill kills one), then etcd — all by their PIDs.
ha_stop() {
    local dir="$1" node pid
    for node in "${HA_NODES[@]}"; do
        ha_alive "$dir/$node/patroni.pid" && kill -TERM "$(cat "$dir/$node/patroni.pid")" 2>/dev/null || true
    done
    for node in "${HA_NODES[@]}"; do
        if [ -s "$dir/$node/patroni.pid" ]; then
            pid=$(cat "$dir/$node/patroni.pid")
            for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        fi
        [ ! -f "$dir/$node/data/postmaster.pid" ] || as_owner "$(pg_bin pg_ctl)" -D "$dir/$node/data" -m fast -w stop >/dev/null 2>&1 || true
    done
    if ha_alive "$dir/etcd/etcd.pid"; then
        pid=$(cat "$dir/etcd/etcd.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
}

# ha_database NAME: ensure_database on the leader, then waits until every node has it. (libpq tries the
# next host of a multi-host URL only when a host cannot be reached: a replica that has not replayed the
# CREATE DATABASE yet would refuse the connection with "does not exist" and end the attempt.)
ha_database() {
    local name="$1" node
    ensure_database "$name"
    for node in "${HA_NODES[@]}"; do
        ha_wait 30 "la base $name en $node" psql -h 127.0.0.1 -p "$(ha_pg_port "$node")" -U postgres -d "$name" -tAXc "SELECT 1"
    done
}

# --- HAProxy in front of the Patroni cluster (ops/haproxy/patroni.cfg) -----------------------------
# The proxy alternative to the multi-host URL: one address for writes (the node whose Patroni answers
# 200 on /primary) and one for reads (/replica nodes, else the primary). In DIR/haproxy/: haproxy.cfg
# (the template filled in), haproxy.pid, haproxy.log. Ports from $SINTRA_HA_PUERTO (5441): read-write
# +10 (5451), read-only +11 (5452), statistics page +12 (5453) — past the nodes' three PostgreSQL ports,
# clear of Patroni's (+3000) and etcd's (+18349).
ensure_haproxy() { command -v haproxy >/dev/null || apt_install haproxy; }

# ha_haproxy_port rw|ro|stats
ha_haproxy_port() {
    local base="${SINTRA_HA_PUERTO:-5441}"
    case "$1" in rw) echo $(( base + 10 ));; ro) echo $(( base + 11 ));; stats) echo $(( base + 12 ));; esac
}

# The connection string through HAProxy: ha_haproxy_url ROLE [ro]. Writes keep
# target_session_attrs=read-write as a second guard (a node HAProxy has not yet marked down after a
# demotion is refused by libpq instead of taking a write it cannot do).
ha_haproxy_url() {
    if [ "${2:-}" = "ro" ]; then
        echo "host=127.0.0.1 port=$(ha_haproxy_port ro) dbname=sintra user=$1 connect_timeout=2"
    else
        echo "host=127.0.0.1 port=$(ha_haproxy_port rw) dbname=sintra user=$1 target_session_attrs=read-write connect_timeout=2"
    fi
}

# ha_haproxy_config DIR: ops/haproxy/patroni.cfg with this cluster's ports, checked by haproxy -c.
ha_haproxy_config() {
    local dir="$1" node script=""
    mkdir -p "$dir/haproxy"
    script="s/@RW@/$(ha_haproxy_port rw)/g; s/@RO@/$(ha_haproxy_port ro)/g; s/@STATS@/$(ha_haproxy_port stats)/g"
    for node in "${HA_NODES[@]}"; do
        local upper="${node^^}"
        script+="; s/@${upper}_PG@/$(ha_pg_port "$node")/g; s/@${upper}_REST@/$(ha_rest_port "$node")/g"
    done
    sed "$script" "$ROOT/ops/haproxy/patroni.cfg" > "$dir/haproxy/haproxy.cfg"
    ! grep -q '@[A-Z0-9_]*@' "$dir/haproxy/haproxy.cfg" || { echo "ERROR: quedaron marcas sin llenar en $dir/haproxy/haproxy.cfg" >&2; return 1; }
    haproxy -q -c -f "$dir/haproxy/haproxy.cfg" >/dev/null
}

# ha_haproxy_start DIR: HAProxy in the foreground as the cluster's owner (stopped by its PID, like the
# nodes); waits until the read-write port leads to the primary.
ha_haproxy_start() {
    local dir="$1"
    ensure_haproxy
    ha_haproxy_config "$dir"
    if [ "$(id -u)" -eq 0 ]; then as_owner true; chown -R postgres "$dir/haproxy"; fi
    ha_alive "$dir/haproxy/haproxy.pid" \
        || ha_spawn "$dir/haproxy/haproxy.pid" "$dir/haproxy/haproxy.log" haproxy -db -f "$dir/haproxy/haproxy.cfg"
    ha_wait 30 "HAProxy (puerto $(ha_haproxy_port rw))" ha_haproxy_settled "$dir"
}

# True once HAProxy's checks have settled: of the read-write section only the leader is up. (HAProxy
# 2.6 starts every server up until its first check, about a second; a connection it sends to a replica
# meanwhile is refused by target_session_attrs=read-write, or cut when the check marks the node down.)
ha_haproxy_settled() {
    local leader up
    leader=$(ha_leader "$1") || return 1
    up=" $(ha_haproxy_up) "
    [[ "$up" == *" sintra_primario/$leader "* ]] && [ "$(grep -o 'sintra_primario/' <<< "$up" | wc -l)" -eq 1 ]
}

ha_haproxy_stop() {
    local dir="$1" pid
    ha_alive "$dir/haproxy/haproxy.pid" || return 0
    pid=$(cat "$dir/haproxy/haproxy.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
}

# The servers HAProxy sees up, from its statistics (CSV): "sintra_primario/n2 sintra_replicas/n1 …".
ha_haproxy_up() {
    curl -sf "http://127.0.0.1:$(ha_haproxy_port stats)/;csv" \
        | awk -F, '$1 ~ /^sintra_/ && $2 != "FRONTEND" && $2 != "BACKEND" && $18 == "UP" { printf "%s%s/%s", sep, $1, $2; sep = " " }'
}
