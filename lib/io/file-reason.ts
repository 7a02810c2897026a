// Why a file could not be read or written, in words a user acts on (ENOENT: no such file...),
// for every reader and writer's error message: model files, exports, CSV, Arrow and Parquet.

/** The reason in words: the common codes named, anything else by its own message. */
export function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'not a regular file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return error instanceof Error ? error.message : String(error);
}
