// The console's "Copy" buttons: <button data-copy="ID"> copies the text of the element ID.
// Without JavaScript the text is still shown, selectable, next to the button.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  var status = document.getElementById(button.getAttribute("data-copy") + "-status");
  navigator.clipboard.writeText(source.textContent.trim()).then(
    function () { if (status) status.textContent = "Copied."; },
    function () { if (status) status.textContent = "Copy failed; select the text instead."; }
  );
});
