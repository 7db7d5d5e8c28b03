/* The facilitator's console: buttons (with keyboard shortcuts) for every facilitator action, the
   queue with move up/down, the policy, speaking time, the check, the outcome forms, the notes. */
(function () {
  "use strict";

  var L = window.Live;
  var t = L.t, el = L.el, icon = L.icon;
  var $ = function (id) { return document.getElementById(id); };
  var ANSWERS = ["agree", "reservations", "stand_aside", "block"];
  var OUTCOMES = ["agreed", "postponed", "delegated", "drafting"];
  var client;
  var consoleData = null;
  var notesItem = null;
  var notesDirty = false;
  var redrawAfterSave = false;
  var feedback = L.feedbackBox(3000);

  function send(type, fields) {
    return client.act(type, fields || {}).then(function (response) {
      if (response.ok) { feedback(t("done")); }
      return response;
    });
  }

  // --- drawing ----------------------------------------------------------------------------

  function renderAgenda(snapshot) {
    var current = snapshot.current;
    $("co-current").textContent = current ? current.title : t("no_item");
    L.replace($("co-agenda"), (snapshot.agenda || []).map(function (item, index) {
      var isCurrent = current && current.item_id === item.id;
      return el("li", { "class": isCurrent ? "is-current" : null, "aria-current": isCurrent ? "step" : null }, [
        el("span", {}, [
          el("span", { dir: "auto", text: (index + 1) + ". " + item.title }),
          el("span", { "class": "co-tag", text: [t("item_" + item.kind),
            item.outcome ? t("outcome_" + item.outcome) : null, isCurrent ? t("now") : null]
            .filter(Boolean).join(" · ") })
        ]),
        // The item's title is heard after the visible words, so the accessible name starts
        // with what is seen (WCAG 2.5.3) in every language.
        isCurrent ? null : el("button", { type: "button", "class": "secondary", "data-goto": item.id }, [
          t("goto"), el("span", { "class": "visually-hidden", dir: "auto", text: ": " + item.title })])
      ]);
    }));
  }

  function renderQueue(snapshot) {
    var hands = snapshot.queue || [];
    if (!hands.length) {
      L.replace($("co-queue"), [el("li", { "class": "co-empty", text: t("queue_empty") })]);
    } else {
      L.replace($("co-queue"), hands.map(function (hand, index) {
        var label = function (key) { return t(key) + ": " + hand.name; };
        return el("li", {}, [
          el("span", {}, [
            el("span", { "class": "co-hand-name" }, [L.name(hand.name)]),
            el("span", { "class": "co-hand-kind hand-" + hand.kind }, [icon(hand.kind), " ", t("hand_" + hand.kind)])
          ]),
          el("span", { "class": "co-hand-buttons" }, [
            el("button", { type: "button", "class": "secondary", "data-move": hand.hand_id, "data-index": index - 1,
                           disabled: index === 0, "aria-label": label("move_up"), title: t("move_up") }, [icon("up")]),
            el("button", { type: "button", "class": "secondary", "data-move": hand.hand_id, "data-index": index + 1,
                           disabled: index === hands.length - 1, "aria-label": label("move_down"), title: t("move_down") }, [icon("down")]),
            el("button", { type: "button", "class": "danger", "data-lower": hand.hand_id, "aria-label": label("lower") },
               [icon("lower"), t("lower")])
          ])
        ]);
      }));
    }
    var speaker = snapshot.speaker;
    L.replace($("co-speaker"), speaker ? [
      el("strong", {}, [L.name(speaker.name)]), " · ", t("hand_" + speaker.kind), " · ",
      el("span", { id: "co-speaker-time", dir: "ltr", "class": "live-clock" })
    ] : [t("nobody_speaking")]);
    document.querySelectorAll("input[name=policy]").forEach(function (radio) {
      radio.checked = radio.value === snapshot.policy;
    });
  }

  function renderCheck(snapshot) {
    if (!$("co-check-state")) { return; }  // an open discussion has no consensus check
    var check = snapshot.check;
    var open = !!(check && check.open);
    $("co-check-state").textContent = check ? (open ? t("check_open") : t("check_closed")) + " · " +
      t("answered", { n: check.answered }) : t("no_check");
    $("co-check-toggle").firstChild.textContent = (open ? t("close_check") : t("open_check")) + " ";
    $("co-open-names").disabled = open;
    $("co-open-names-label").hidden = open;
    if (!check) { L.replace($("co-check"), []); return; }
    var named = {};
    ((consoleData && consoleData.answers) || []).forEach(function (given) {
      (named[given.answer] = named[given.answer] || []).push(given.name);
    });
    L.replace($("co-check"), [
      el("ul", { "class": "co-counts" }, ANSWERS.map(function (answer) {
        return el("li", { "class": "answer-" + answer }, [
          el("span", {}, [icon(answer), " ", t("answer_" + answer)]),
          el("span", { "class": "co-count", text: String((check.counts || {})[answer] || 0) }),
          named[answer] ? el("span", { dir: "auto", text: named[answer].join(", ") }) : null
        ]);
      })),
      (check.blocks || []).length ? el("h4", { text: t("blocks") }) : null,
      (check.blocks || []).length ? el("ul", { "class": "co-blocks" }, check.blocks.map(function (block) {
        return el("li", {}, [el("strong", {}, [L.name(block.name), ":"]), " ", el("span", { dir: "auto", text: block.reason })]);
      })) : null
    ]);
  }

  function renderOutcome(snapshot) {
    var current = snapshot.current;
    var decided = snapshot.outcome && current && snapshot.outcome.item_id === current.item_id;
    var canDecide = current && current.proposal_id && !decided;
    OUTCOMES.forEach(function (outcome) {
      var form = document.querySelector("form[data-outcome=" + outcome + "]");
      if (!form) { return; }  // an open discussion has no outcome forms
      form.querySelectorAll("button, input, select, textarea").forEach(function (control) { control.disabled = !canDecide; });
    });
  }

  /** The notes come with the console (only facilitators and note-takers receive them): the
      room's state names the current item, the console carries its notes. */
  function renderNotes() {
    var current = client && client.snapshot ? client.snapshot.current : null;
    var box = $("co-notes");
    box.disabled = !current;
    var itemId = current ? current.item_id : null;
    var saved = consoleData && consoleData.notes && consoleData.notes.item_id === itemId ?
      consoleData.notes.text : null;
    if (itemId !== notesItem) {
      notesItem = itemId;
      notesDirty = false;
      box.value = saved || "";
      $("co-notes-state").textContent = "";
    } else if (!notesDirty && typeof saved === "string" && box.value !== saved) {
      box.value = saved;  // someone else (the note-taker) saved
    }
  }

  function renderWho(snapshot) {
    var me = client.config.person_id;
    var facilitator = snapshot.facilitator;
    var mine = !!(facilitator && facilitator.id === me);
    document.body.classList.toggle("is-facilitating", mine);
    $("co-participants").textContent = t("participants", { n: snapshot.participants || 0 });
    L.replace($("co-facilitator"), [el("strong", {}, mine ? [t("you_facilitate")] :
      facilitator ? L.tNodes("facilitator", { name: L.name(facilitator.name) }) : [t("no_facilitator")])]);
    L.replace($("co-takeover-text"), facilitator && !mine ?
      L.tNodes("other_facilitates", { name: L.name(facilitator.name) }) : [t("no_facilitator")]);
  }

  function renderConsole() {
    if (!consoleData) { return; }
    var rows = consoleData.speaking || [];
    L.replace($("co-speaking"), rows.length ? rows.map(function (row) {
      return el("tr", {}, [
        el("td", {}, [L.name(row.name)]),
        el("td", { "class": "num", text: String(row.turns) }),
        el("td", { "class": "num", dir: "ltr", text: L.clock(row.seconds) })
      ]);
    }) : [el("tr", {}, [el("td", { colspan: "3", "class": "co-empty", text: t("speaking_time_none") })])]);
    var now = client.serverNow();
    L.replace($("co-signals"), (consoleData.signals || []).map(function (signal) {
      var ago = L.clock(now - L.seconds(signal.at));
      return el("li", {}, [icon(signal.kind),
        el("span", {}, L.tNodes("signal_at", { signal: t("signal_banner_" + signal.kind), ago: ago })),
        " — ", L.name(signal.name)]);
    }));
    L.replace($("co-roll"), (consoleData.participants || []).map(function (person) {
      return el("li", {}, [L.name(person.name), " ",
        el("button", { type: "button", "class": "secondary", "data-left": person.participant_id,
                       "aria-label": t("has_left_name", { name: person.name }) }, [t("has_left")])]);
    }));
    if (client.snapshot) { renderCheck(client.snapshot); }
    renderNotes();
  }

  /** The page was drawn with or without the decision controls (an open discussion decides
      nothing); when the meeting is marked or unmarked meanwhile, draw the page again. */
  function decidingChanged(snapshot) {
    var open = !!(snapshot.meeting && snapshot.meeting.open_discussion);
    return open !== !!client.config.open_discussion;
  }

  function render(snapshot) {
    if (decidingChanged(snapshot)) {
      // Notes being typed are not thrown away: the page is drawn again once they are saved.
      if (!notesDirty) { window.location.reload(); return; }
      redrawAfterSave = true;
    }
    renderWho(snapshot);
    renderAgenda(snapshot);
    renderQueue(snapshot);
    renderCheck(snapshot);
    renderOutcome(snapshot);
    renderNotes();
    tick();
  }

  function tick() {
    var snapshot = client && client.snapshot;
    if (!snapshot) { return; }
    var timer = snapshot.timer || {};
    var seconds = client.elapsed(timer.elapsed_seconds, timer.running);
    var box = snapshot.current && snapshot.current.time_box_minutes;
    $("co-elapsed").textContent = L.clock(seconds);
    $("co-box").textContent = box ? "/ " + L.clock(box * 60) : "";
    var over = !!box && seconds > box * 60;
    $("co-timer-box").classList.toggle("is-over-time", over);
    $("co-timer-state").textContent = over ? t("over_time") : (timer.running ? t("timer_running") : t("timer_paused"));
    $("co-timer-toggle").firstChild.textContent = (timer.running ? t("pause_timer") : t("start_timer")) + " ";
    var spoken = $("co-speaker-time");
    if (spoken && snapshot.speaker) { spoken.textContent = L.clock(client.elapsed(snapshot.speaker.elapsed_seconds, true)); }
  }

  // --- doing ------------------------------------------------------------------------------

  function act(kind) {
    var snapshot = client.snapshot || {};
    if (kind === "timer_toggle") { return send(snapshot.timer && snapshot.timer.running ? "timer_pause" : "timer_start"); }
    if (kind === "check_toggle") {
      if (snapshot.check && snapshot.check.open) { return send("close_check"); }
      return send("open_check", { open_names: $("co-open-names").checked });
    }
    if (kind === "close_meeting" && !window.confirm(t("confirm_close"))) { return null; }
    return send(kind);
  }

  function outcomeFields(form) {
    var data = { outcome: form.dataset.outcome };
    new window.FormData(form).forEach(function (value, key) { data[key] = String(value).trim(); });
    if (data.working_group_id !== undefined) {
      data.working_group_id = data.working_group_id ? Number(data.working_group_id) : null;
    }
    return data;
  }

  function submitOutcome(event) {
    event.preventDefault();
    var form = event.target;
    // Required fields are checked here with the browser's own messages, in the page language.
    if (!form.reportValidity()) { return; }
    send("record_outcome", outcomeFields(form)).then(function (response) {
      if (response.ok) { form.reset(); form.closest("details").open = false; }
    });
  }

  function openOutcome(index) {
    var details = $("outcome-" + OUTCOMES[index]);
    if (!details) { return; }
    details.open = true;
    var first = details.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  /** Letters typed into a field are words, not shortcuts (a checkbox or radio is no field). */
  function isTyping(target) {
    if (!target.closest) { return false; }
    var field = target.closest("input, textarea, select, [contenteditable]");
    if (!field) { return false; }
    return !(field.tagName === "INPUT" && /^(checkbox|radio|button|submit|reset)$/i.test(field.type));
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    // Space and Enter keep their usual meaning on a focused button or link.
    if ((key === " " || key === "Enter") && event.target.closest("button, a, summary")) { return; }
    if (/^[1-4]$/.test(key)) { event.preventDefault(); openOutcome(Number(key) - 1); return; }
    var button = document.querySelector("[data-key=\"" + (key === " " ? " " : key) + "\"]");
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  }

  function start() {
    client = new L.Client({
      view: "facilitator",
      onState: render,
      onConsole: function (data) { consoleData = data; renderConsole(); },
      onError: function (text, code) { feedback(text, code !== "waiting"); }
    });
    window.setInterval(tick, 250);
    window.setInterval(renderConsole, 5000);  // keeps "… ago" of signals current
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.dataset.act) { act(target.dataset.act); }
      else if (target.dataset.goto) { send("goto_item", { item_id: Number(target.dataset.goto) }); }
      else if (target.dataset.move) { send("move_hand", { hand_id: Number(target.dataset.move), index: Number(target.dataset.index) }); }
      else if (target.dataset.lower) { send("lower_hand", { hand_id: Number(target.dataset.lower) }); }
      else if (target.dataset.left) { send("leave", { participant_id: Number(target.dataset.left) }); }
    });
    document.querySelectorAll("input[name=policy]").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { send("set_policy", { policy: radio.value }); } });
    });
    document.querySelectorAll("form[data-outcome]").forEach(function (form) { form.addEventListener("submit", submitOutcome); });
    $("co-notes").addEventListener("input", function () { notesDirty = true; $("co-notes-state").textContent = ""; });
    $("co-notes-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (notesItem === null) { return; }
      var text = $("co-notes").value;
      client.act("save_note", { item_id: notesItem, text: text }).then(function (response) {
        if (response.ok) {
          notesDirty = false;
          $("co-notes-state").textContent = t("note_saved");
          if (redrawAfterSave) { window.location.reload(); }
        }
      });
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
