// fs-ext ships no types; these are the two calls the legacy lock uses (flock(2) on a file descriptor).
declare module 'fs-ext' {
  type FlockFlag = 'sh' | 'ex' | 'shnb' | 'exnb' | 'un';
  export function flock(fd: number, flags: FlockFlag, callback: (err: NodeJS.ErrnoException | null) => void): void;
  export function flockSync(fd: number, flags: FlockFlag): void;
  const fsExt: { flock: typeof flock; flockSync: typeof flockSync };
  export default fsExt;
}
