/** Parses `500ms`, `5s`, `2m` (or a bare number of milliseconds) into milliseconds. */
export const parseDuration = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null) throw new Error(`invalid duration '${text}' (use e.g. 500ms, 5s, 2m)`);
  const n = Number(m[1]);
  return m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n;
};
