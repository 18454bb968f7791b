// Sidenotes, as progressive enhancement. Without JavaScript, or on a narrow screen, the notes
// are a list at the end, reached by the note calls and left by the back-links. On a wide screen
// the same list is set in the margin (blog.css) and each note, the very element its call links
// to, is placed level with its call, or just below the note above it when that one is in the way.
// Nothing is copied: one note, one element, so a call's link lands on the sidenote beside it.
(function () {
  var wide = window.matchMedia("screen and (min-width: 1200px)");
  var essay = document.querySelector(".essay");
  var list = document.querySelector(".notes");
  if (!essay || !list) return;
  var GAP = 12;  // px between a note and the next one pushed below it
  function layout() {
    var on = wide.matches;
    document.body.classList.toggle("with-sidenotes", on);
    var notes = list.querySelectorAll("ol > li[id]");
    var origin = essay.getBoundingClientRect().top;
    var floor = 0;
    for (var i = 0; i < notes.length; i++) {
      var note = notes[i];
      note.classList.toggle("sidenote", on);
      note.style.top = "";
      if (!on) continue;
      var call = document.querySelector('.essay-body a.note-call[href="#' + note.id + '"]');
      var wanted = call ? call.getBoundingClientRect().top - origin : floor;
      var top = Math.max(wanted, floor);
      note.style.top = top + "px";
      floor = top + note.offsetHeight + GAP;
    }
  }
  layout();
  wide.addEventListener("change", layout);
  window.addEventListener("resize", layout);
  window.addEventListener("load", layout);
  // An opened or closed passage changes its note's height, and so the place of every note below.
  list.addEventListener("toggle", layout, true);
  if (document.fonts) document.fonts.ready.then(layout);
})();
