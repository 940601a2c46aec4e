// At most once per drill step, on any host with a POSIX shell: the first attempt claims a marker
// directory and starts the command detached, in its own session, so neither a worker that dies nor
// a dropped connection ends it; every attempt (a retry after a crash included) then waits for the
// recorded exit code and prints what the command printed.
export const OUTPUT_LIMIT = 4096;

const SCRIPT = [
  'm="$1"; shift; mkdir -p "$(dirname "$m")"',
  'if mkdir "$m" 2>/dev/null; then',
  // Without setsid (a minimal image) the command still runs, in this session; a launch that fails
  // at all (no space left to write its output, say) still records an exit code, so no attempt waits forever.
  '  s=""; command -v setsid >/dev/null 2>&1 && s=setsid',
  `  $s sh -c '"$@" >"$0/out" 2>"$0/err" </dev/null; echo $? >"$0/rc.tmp"; mv "$0/rc.tmp" "$0/rc"' "$m" "$@" </dev/null >/dev/null 2>&1 &`,
  '  echo $! >"$m/pid" || { echo 126 >"$m/rc"; }',
  // The first attempt waits on its own command (no polling delay); a retry polls for the recorded code.
  '  wait $! 2>/dev/null',
  'fi',
  'while [ ! -f "$m/rc" ]; do sleep 0.1; done',
  `head -c ${OUTPUT_LIMIT} "$m/out"; head -c ${OUTPUT_LIMIT} "$m/err" >&2; exit "$(cat "$m/rc")"`,
].join('\n');

/** The marker of one step's run: under /tmp for containers, under the login directory over SSH. */
export const markerPath = (key: string, dir = '/tmp/.drill-steps') => `${dir}/${key.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** argv that runs `command` once for `marker`. */
export const onceArgv = (marker: string, command: string[]) => ['sh', '-c', SCRIPT, 'drill-step', marker, ...command];

/** Ends a command started by `onceArgv` (its whole process group), for a step that ran out of time. */
export const killArgv = (marker: string) => ['sh', '-c', 'p="$(cat "$1/pid" 2>/dev/null)" && kill -KILL "-$p" 2>/dev/null; echo 137 >"$1/rc"', 'drill-kill', marker];

/** A command line for a remote shell (SSH sends one string): each word single-quoted. */
export const shellLine = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
