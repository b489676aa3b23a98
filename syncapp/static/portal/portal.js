// "Select all rows on this page" for the record lists; everything else works without JavaScript.
document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll('tbody input[type="checkbox"][name="ids"]').forEach((box) => {
    box.checked = all.checked;
  });
});
