// Mailbox detail sections: a form answered 422 (bad input) still swaps in, so the
// messages appear beside the fields. htmx leaves 4xx answers unswapped by default.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var source = evt.detail.requestConfig && evt.detail.requestConfig.elt;
  if (evt.detail.xhr.status === 422 && source && source.closest("[data-swap-errors]")) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
