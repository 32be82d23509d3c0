/** `bytes` with each range replaced by its new bytes; ranges sorted by start and not overlapping. */
export function spliceBytes(bytes: Buffer, edits: ReadonlyArray<{ start: number; end: number; bytes: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(bytes.subarray(at, e.start), e.bytes);
    at = e.end;
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}
