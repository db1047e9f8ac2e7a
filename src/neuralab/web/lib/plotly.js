// plotly.js (4.8 MB, served from the plotly Python package) is loaded once, on demand:
// parsing it takes about a second, so only the views that draw with it wait for it.

let loading = null;

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/plotly.min.js";
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { loading = null; reject(new Error("plotly.js could not load")); };
      document.head.append(script);
    });
  }
  return loading;
}
