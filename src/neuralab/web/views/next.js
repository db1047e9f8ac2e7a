// The next section (to be written by its owner).
export function mount(el, ctx) {}
