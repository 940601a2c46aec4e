# Shared by the role and runbook scripts: sourced, never run.
# ssh sessions and sudo do not inherit the image's ENV, so the PostgreSQL tools are put on PATH here.
export PATH="/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export LC_ALL=C RES_OPTIONS="timeout:1 attempts:2"
export PGUSER=postgres PGDATABASE=postgres PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-2}"
PGDATA=/var/lib/drill/pg
me="$(basename "$0")"
# postgres tools warn when the working directory is unreadable for their user (root's home).
cd /

say() { echo "$me: $*"; }
die() { echo "$me: error: $*" >&2; exit 1; }

# One query against HOST, unaligned, no psqlrc. Sessions opt out of a read-only fence so that
# runbook steps (promote, un-fence) still work on a fenced primary.
q() {
  _h="$1"; shift
  PGOPTIONS="-c default_transaction_read_only=off" psql -X -qAt -v ON_ERROR_STOP=1 -h "$_h" -c "$*"
}

# Runs a command as the postgres user: postgres, pg_rewind and initdb refuse to run as root.
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

# Steps that rewrite a data volume need root; re-run through sudo (allowed for ops without a password).
need_root() {
  [ "$(id -u)" = 0 ] && return 0
  exec sudo -n "/usr/local/bin/$me" "$@"
}

# The PostgreSQL data dir is a volume at $PGDATA in a pg container and at /srv/pg on a bastion.
# pg-serve records in it which host serves it (pg-a) and its addresses, so bastion steps can tell
# whether it still runs.
pg_host_of() { sed -n 's/^# host: //p' "$1/drill.conf" 2>/dev/null | head -n 1; }

# Refuses to touch a data dir whose server still answers: rewriting it under a running postgres
# corrupts it. A clean stop removes postmaster.pid; one left by a killed container is harmless once
# nobody answers. Addresses too, in case the host name is not one the bastion can resolve.
refuse_if_running() {
  _dir="$1"
  [ -f "$_dir/postmaster.pid" ] || return 0
  for _a in $(pg_host_of "$_dir") $(sed -n 's/^# addr: //p' "$_dir/drill.conf" 2>/dev/null); do
    pg_isready -q -h "$_a" -t 2 && die "PostgreSQL on $_a still runs on this data dir; stop its container first"
  done
  rm -f "$_dir/postmaster.pid"
}

# Makes DATA a standby of FROM: drops settings a copied postgresql.auto.conf may carry (the source's
# own primary_conninfo, a read-only fence, recovery targets), then points it at FROM.
# APPNAME is what a primary's synchronous_standby_names matches (pg_b for pg-b).
write_standby_conf() {
  _data="$1"; _from="$2"; _app="$3"
  _auto="$_data/postgresql.auto.conf"
  touch "$_auto"
  sed -i -E '/^[[:space:]]*(primary_conninfo|primary_slot_name|default_transaction_read_only|restore_command|recovery_target[a-z_]*)[[:space:]]*=/d' "$_auto"
  echo "primary_conninfo = 'host=$_from port=5432 user=postgres${_app:+ application_name=$_app}'" >> "$_auto"
  rm -f "$_data/recovery.signal"
  touch "$_data/standby.signal"
}

# Name of the pg container (hostname, or NAME when the hostname is not the container name).
own_name() { echo "${NAME:-$(uname -n)}"; }
app_name() { echo "$1" | tr '-' '_'; }

# One redis-cli command against HOST; timeout bounds a host that is cut off (no connect timeout in redis-cli).
rc() { _h="$1"; shift; timeout 3 redis-cli -h "$_h" "$@" | tr -d '\r'; }
# A field of INFO replication.
rinfo() { rc "$1" INFO replication | sed -n "s/^$2://p"; }

# Marks which host serves a data dir (see pg_host_of); pg-serve rewrites the whole file at start.
stamp_host() { [ -n "$2" ] && printf '# host: %s\n' "$2" > "$1/drill.conf"; return 0; }

# Now in epoch seconds, for deadlines.
now() { date +%s; }
