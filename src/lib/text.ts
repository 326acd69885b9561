/** Lower-cased words of a text, for the search indexes: letters and digits in any script. */
export function words(...texts: ReadonlyArray<string | readonly string[] | undefined>): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    if (t === undefined) continue;
    for (const s of typeof t === 'string' ? [t] : t) {
      for (const m of s.normalize('NFKC').toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
        out.add(m[0].slice(0, 64));
      }
    }
  }
  return [...out];
}

/** The string with each half of a surrogate pair replaced by U+FFFD (UTF-8 has no form for it). */
export const wellFormedText = (s: string): string => s.replace(/\p{Cs}/gu, '\uFFFD');
