import { TomlDate } from "smol-toml";

/** How a TOML value reads in "expected X, got Y" messages. */
export function describeValue(v: unknown): string {
  if (typeof v === "bigint") return `an integer (${v})`;
  if (typeof v === "number") return `a float (${v})`;
  if (typeof v === "string")
    return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
  if (typeof v === "boolean") return `a boolean (${v})`;
  if (v instanceof TomlDate) return `a date/time (${v.toISOString()})`;
  if (Array.isArray(v)) return v.length === 0 ? "an empty array" : `an array of ${v.length}`;
  if (v !== null && typeof v === "object") return "a table";
  return String(v);
}
