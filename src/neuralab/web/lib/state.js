// Each section's settings live in the URL query (`lab.name=value`), so a reload or a shared
// link reproduces them. Values are checked against the parameter table's spec.

function coerce(param, raw) {
  if (raw === null || raw === undefined) return undefined;
  if (param.type === "bool") {  // an unreadable switch ("abc") keeps its default, not "off"
    return raw === "1" || raw === "true" ? true : raw === "0" || raw === "false" ? false
      : undefined;
  }
  if (param.type === "int" || param.type === "float") {
    if (param.shape) {
      const nums = raw.split(",").map(Number);
      const size = param.shape.reduce((a, b) => a * b, 1);
      if (nums.length !== size || nums.some((n) => !Number.isFinite(n))) return undefined;
      const [rows, cols] = param.shape;
      return Array.from({ length: rows }, (_, r) => nums.slice(r * cols, (r + 1) * cols))
        .map((row) => row.map((n) => clamp(param, n)));
    }
    const n = Number(raw);
    if (!Number.isFinite(n)) return undefined;
    return clamp(param, param.type === "int" ? Math.round(n) : n);
  }
  if (param.choices) return param.choices.includes(raw) ? raw : undefined;
  return raw;
}

function clamp(param, n) {
  if (param.min !== undefined) n = Math.max(param.min, n);
  if (param.max !== undefined) n = Math.min(param.max, n);
  return n;
}

function encode(param, value) {
  if (param.type === "bool") return value ? "1" : "0";
  if (param.shape) return value.flat().join(",");
  return String(value);
}

export function labState(lab, params) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const values = {};
  const query = new URLSearchParams(location.search);
  let corrected = false;
  for (const p of params) {
    const key = `${lab}.${p.name}`;
    const raw = query.get(key);
    const fromUrl = coerce(p, raw);
    values[p.name] = fromUrl === undefined ? structuredClone(p.default) : fromUrl;
    if (raw === null) continue;
    // What the page uses is what the URL says: a value clamped into range (or refused) is
    // written back corrected, so a shared link reproduces what was on screen.
    const isDefault = JSON.stringify(values[p.name]) === JSON.stringify(p.default);
    const want = fromUrl === undefined || isDefault ? null : encode(p, values[p.name]);
    if (want !== raw) {
      if (want === null) query.delete(key);
      else query.set(key, want);
      corrected = true;
    }
  }
  if (corrected) {
    const qs = query.toString();
    history.replaceState(null, "", `${location.pathname}${qs ? "?" + qs : ""}${location.hash}`);
  }
  return {
    get: (name) => values[name],
    all: () => ({ ...values }),
    param: (name) => byName[name],
    set(name, value) {
      values[name] = value;
      const q = new URLSearchParams(location.search);
      const p = byName[name];
      if (JSON.stringify(value) === JSON.stringify(p.default)) q.delete(`${lab}.${name}`);
      else q.set(`${lab}.${name}`, encode(p, value));
      const qs = q.toString();
      history.replaceState(null, "", `${location.pathname}${qs ? "?" + qs : ""}${location.hash}`);
    },
  };
}
