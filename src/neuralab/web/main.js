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

async function main() {
  trackHeader();
  const spec = await fetchParams();
  const sections = [...document.querySelectorAll("section[data-view]")];
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
