// "Select all rows on this page" for the record lists; everything else works without JavaScript.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll('tbody input[type="checkbox"][name="ids"]').forEach((box) => {
    box.checked = all.checked;
  });
});

// The search form sends only what was filled in, so the address stays short enough to read and share
// (`?source_id=576…` rather than eight empty fields). "Exact" is the default match, so it is left out too.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.portal-filters");
  if (!form) return;
  form.querySelectorAll("input[name], select[name]").forEach((field) => {
    if (field.value === "" || (field.name === "match" && field.value === "exact")) field.disabled = true;
  });
});
// Back to a page kept in the browser's cache: its fields must be usable again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form.portal-filters [disabled]").forEach((field) => {
    field.disabled = false;
  });
});
