// Sidenotes, as progressive enhancement: on a wide screen each note is copied into the
// margin beside its call. Without JavaScript, or on a narrow screen, the notes stay a list
// at the end, reached by the note calls and left by the back-links.
(function () {
  var wide = window.matchMedia("(min-width: 1200px)");
  function place() {
    var old = document.querySelectorAll(".sidenote");
    for (var i = 0; i < old.length; i++) old[i].remove();
    document.body.classList.toggle("with-sidenotes", wide.matches);
    if (!wide.matches) return;
    var calls = document.querySelectorAll(".essay-body a.note-call[id]");
    for (var j = 0; j < calls.length; j++) {
      var call = calls[j];
      var note = document.getElementById(call.getAttribute("href").slice(1));
      if (!note) continue;
      var side = document.createElement("span");
      side.className = "sidenote";
      side.setAttribute("aria-hidden", "true");
      var number = document.createElement("span");
      number.className = "sidenote-number";
      number.textContent = call.textContent;
      side.appendChild(number);
      var copy = note.cloneNode(true);
      var links = copy.querySelectorAll(".back-link");
      for (var k = 0; k < links.length; k++) links[k].remove();
      while (copy.firstChild) side.appendChild(copy.firstChild);
      call.insertAdjacentElement("afterend", side);
    }
  }
  place();
  wide.addEventListener("change", place);
})();
