// The inside-the-models section (to be written by its owner).
export function mount(el, ctx) {}
