// Mounts one view module per lab section. Each view exports `mount(element, ctx)`.
import { fetchParams } from "./lib/api.js";
import { labState } from "./lib/state.js";

// Keep --header-h at the sticky header's height: scroll-padding-top (style.css) uses it so
// that nothing focused or scrolled to hides under the header.
function trackHeader() {
  const header = document.querySelector(".site-header");
  const set = () => document.documentElement.style.setProperty("--header-h",
    `${header.getBoundingClientRect().height}px`);
  new ResizeObserver(set).observe(header);
  set();
}

// `?sections=mnist,inside` shows only those sections (by id or view name), for a teacher's
// link or a notebook cell; `&embed=1` also drops the header and footer. Hidden sections are
// not mounted at all, so they cost nothing.
// The playground's own page, /playground, is the lab with only that section, for a projector.
function chooseSections() {
  const query = new URLSearchParams(location.search);
  if (location.pathname.replace(/\/$/, "") === "/playground") {
    query.set("sections", "playground");
    query.set("embed", "1");
  }
  const all = [...document.querySelectorAll("section[data-view]")];
  const wanted = (query.get("sections") || "").split(",").map((s) => s.trim()).filter(Boolean);
  const shown = wanted.length
    ? all.filter((s) => wanted.includes(s.id) || wanted.includes(s.dataset.view)) : all;
  if (!shown.length) return all; // nothing matched: show the whole lab rather than nothing
  for (const s of all) {
    if (shown.includes(s)) continue;
    s.hidden = true;
    document.querySelector(`nav a[href="#${s.id}"]`)?.setAttribute("hidden", "");
  }
  if (query.get("embed") === "1") document.body.classList.add("embedded");
  return shown;
}

async function main() {
  const sections = chooseSections();
  trackHeader();
  const spec = await fetchParams();
  await Promise.all(sections.map(async (el) => {
    const view = el.dataset.view;
    try {
      const mod = await import(`./views/${view}.js`);
      const params = spec[view] || [];
      await mod.mount(el, { params, state: labState(view, params) });
    } catch (err) {
      console.error(`view ${view} failed to mount`, err);
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = `This section could not start: ${err.message}`;
      el.append(p);
    }
  }));
  document.body.dataset.ready = "true";
}

main();
