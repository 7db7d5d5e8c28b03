/* Keeps an unsaved proposal text in this browser (localStorage), per proposal and per revision it
   started from, so a closed tab or a lost connection does not lose what was typed.
   - edit page (form[data-draft-proposal]): saves the textarea on input; when the page opens with
     a different text than the one kept, puts the kept text back and says so, with a button to
     discard it.
   - proposal page after a successful save ([data-draft-saved]): forgets every kept draft of it.
   No English in here: the words come from the page's #draft-strings catalogue. The page works
   the same without this script. */
(function () {
  "use strict";

  var PREFIX = "assembly.draft.";

  function storage() {
    try {
      var s = window.localStorage;
      s.setItem(PREFIX + "probe", "1");
      s.removeItem(PREFIX + "probe");
      return s;
    } catch (e) {
      return null; // private mode or storage disabled: nothing is kept, nothing breaks
    }
  }

  function strings() {
    var el = document.getElementById("draft-strings");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function forget(store, proposalId) {
    var prefix = PREFIX + proposalId + ".";
    var keys = [];
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) { keys.push(key); }
    }
    keys.forEach(function (key) { store.removeItem(key); });
  }

  function setUpEditor(store, form) {
    var textarea = form.querySelector("textarea");
    if (!textarea) { return; }
    var key = PREFIX + form.getAttribute("data-draft-proposal") + "." +
      form.getAttribute("data-draft-base");
    var original = textarea.value;
    var words = strings();
    var notice = form.querySelector(".draft-notice");
    var noticeText = notice && notice.querySelector(".draft-notice-text");
    var discard = notice && notice.querySelector(".draft-discard");

    var kept = store.getItem(key);
    if (kept !== null && kept !== original) {
      textarea.value = kept;
      if (notice) {
        noticeText.textContent = words.restored || "";
        discard.textContent = words.discard || "";
        discard.hidden = false;
        notice.hidden = false;
        notice.setAttribute("data-draft-restored", "1");
      }
    }

    if (discard) {
      discard.addEventListener("click", function () {
        store.removeItem(key);
        textarea.value = original;
        noticeText.textContent = words.discarded || "";
        discard.hidden = true;
        notice.removeAttribute("data-draft-restored");
        textarea.focus();
      });
    }

    textarea.addEventListener("input", function () {
      try {
        if (textarea.value === original) {
          store.removeItem(key);
        } else {
          store.setItem(key, textarea.value);
        }
      } catch (e) {
        // Storage full: the text is still in the page; saving it on the server is what counts.
      }
    });
  }

  function start() {
    var store = storage();
    if (!store) { return; }
    var saved = document.querySelector("[data-draft-saved]");
    if (saved) { forget(store, saved.getAttribute("data-draft-saved")); }
    var forms = document.querySelectorAll("form[data-draft-proposal]");
    for (var i = 0; i < forms.length; i += 1) { setUpEditor(store, forms[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
