/* Marginalia print: an article's notes as numbered endnotes on paper.
 *
 * Notes sit beside the passage they annotate on screen. For print, this
 * copies each note into a "Notes" list at the end of the article, numbered as
 * in the text; style.css shows that list only in print (so screen readers
 * never meet it twice) and hides the notes in the text. Without this script
 * the notes print where they are.
 */
(function () {
  "use strict";
  var article = document.querySelector("main article.article");
  var notes = article ? article.querySelectorAll(".article__body .note") : [];
  if (!notes.length) return;
  var section = document.createElement("section");
  section.className = "print-endnotes";
  section.setAttribute("aria-hidden", "true");
  var heading = document.createElement("h2");
  heading.textContent = "Notes";
  var list = document.createElement("ol");
  var seen = {};
  Array.prototype.forEach.call(notes, function (note, index) {
    if (seen[note.id]) return;
    seen[note.id] = true;
    var item = document.createElement("li");
    var number = note.querySelector(".note-num");
    var value = number ? parseInt(number.textContent, 10) : index + 1;
    item.value = isNaN(value) ? index + 1 : value;
    var copy = note.cloneNode(true);
    copy.removeAttribute("id");
    Array.prototype.forEach.call(copy.querySelectorAll(".note-num, [id]"), function (el) {
      if (el.classList.contains("note-num")) el.remove(); else el.removeAttribute("id");
    });
    while (copy.firstChild) item.appendChild(copy.firstChild);
    list.appendChild(item);
  });
  section.appendChild(heading);
  section.appendChild(list);
  var footer = article.querySelector(".article__footer");
  if (footer && footer.parentNode === article) article.insertBefore(section, footer);
  else article.appendChild(section);
  document.documentElement.classList.add("has-print-endnotes");
})();
