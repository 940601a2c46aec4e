// A disk-fill's safety, checked at validation: it fills a tmpfs mount of its target (a filesystem
// of its own size) and never more than DISK_FILL_MAX_BYTES, with the path as the kernel resolves it.
/** What a disk-fill's check reads of the topology: each container's tmpfs mounts and their sizes. */
type Mounts = { containers: Record<string, { tmpfs?: Record<string, string> }> };

/** The most a disk-fill may write (2 GiB): a larger filesystem is most likely one shared with the host. */
export const DISK_FILL_MAX_BYTES = 2 * 1024 ** 3;
const SIZE_UNIT: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A tmpfs size as the topology writes it (64m, 512k, 1g), in bytes. */
export const tmpfsBytes = (size: string) => Number(size.slice(0, -1)) * (SIZE_UNIT[size.slice(-1)] ?? NaN);

/** A path with `.` or `..` segments means another directory than it reads as: `/scratch/../var/lib` is `/var/lib`. */
export function dotSegments(p: string): string | null {
  if (!p.split('/').some((seg) => seg === '.' || seg === '..')) return null;
  const out: string[] = [];
  for (const seg of p.split('/')) if (seg === '..') out.pop(); else if (seg !== '.' && seg !== '') out.push(seg);
  return `/${out.join('/')}`;
}

/** A mount path compared as the kernel sees it: no doubled or trailing slashes. */
const squeeze = (p: string) => p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/**
 * A disk-fill fills a tmpfs mount of each target, and no more than DISK_FILL_MAX_BYTES of it: anything
 * else is the engine's disk, under every container and the host. Checked here, before anything runs.
 */
export function diskFillProblems(fill: string, level: number | undefined, targets: readonly string[], topology: Mounts): string[] {
  const meant = dotSegments(fill);
  if (meant !== null) return [`"${fill}" is written with . or .. (it means ${meant}): write the path inside a tmpfs mount of the target as it is`];
  const want = squeeze(fill);
  const out: string[] = [];
  for (const n of targets) {
    const tmpfs = topology.containers[n]!.tmpfs ?? {};
    const mounts = Object.keys(tmpfs);
    // The innermost mount holding the path is the filesystem that fills.
    const mount = mounts.filter((m) => dotSegments(m) === null && (want === squeeze(m) || want.startsWith(`${squeeze(m).replace(/\/$/, '')}/`)))
      .sort((a, b) => squeeze(b).length - squeeze(a).length)[0];
    if (mount === undefined) {
      out.push(`disk-fill fills a tmpfs mount of the target only (its own size; anything else is the engine's disk): "${fill}" is not inside one of "${n}"${mounts.length ? ` (its tmpfs: ${mounts.join(', ')})` : ' (declare one: tmpfs: { /path: 64m })'}`);
      continue;
    }
    const bytes = tmpfsBytes(tmpfs[mount]!) * ((level ?? 100) / 100);
    if (bytes > DISK_FILL_MAX_BYTES) {
      out.push(`filling ${n}'s ${mount} (${tmpfs[mount]}) to ${level ?? 100}% writes ${(bytes / 1024 ** 3).toFixed(1)} GiB, more than the 2 GiB a disk-fill may write: give it a smaller tmpfs, or a lower level`);
    }
  }
  return out;
}
