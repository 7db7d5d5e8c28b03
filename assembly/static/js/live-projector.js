/* The projector: draws the live state for the room. No controls; the only key is F, which
   asks the browser for full screen. */
(function () {
  "use strict";

  var L = window.Live;
  var t = L.t, el = L.el, icon = L.icon;
  var QUEUE_SHOWN = 6;
  var SIGNAL_SECONDS = 10;
  var ANSWERS = ["agree", "reservations", "stand_aside", "block"];

  var $ = function (id) { return document.getElementById(id); };
  var nodes = {
    agenda: $("pj-agenda"), kicker: $("pj-kicker"), title: $("pj-title"), text: $("pj-text"),
    outcome: $("pj-outcome"), check: $("pj-check"), checkBody: $("pj-check-body"),
    elapsed: $("pj-elapsed"), box: $("pj-box"), timerState: $("pj-timer-state"),
    speaker: $("pj-speaker"), queue: $("pj-queue"), queueMore: $("pj-queue-more"),
    participants: $("pj-participants"), facilitator: $("pj-facilitator"),
    statusWord: $("pj-status-word"), signals: $("pj-signals"),
    openDiscussion: $("pj-open-discussion"),
    columns: $("pj-columns"), language: $("pj-language"), column2: $("pj-column-2"),
    language2: $("pj-language-2"), outdated2: $("pj-outdated-2"), title2: $("pj-title-2"),
    text2: $("pj-text-2")
  };
  var shownText = null;
  var shownText2 = null;
  var seenSignals = {};
  var client;

  function agenda(snapshot) {
    var currentId = snapshot.current && snapshot.current.item_id;
    L.replace(nodes.agenda, (snapshot.agenda || []).map(function (item) {
      var isCurrent = item.id === currentId;
      return el("li", { "class": "pj-agenda-item" + (isCurrent ? " is-current" : "") +
                        (item.outcome ? " has-outcome" : ""),
                        "aria-current": isCurrent ? "step" : null }, [
        isCurrent ? el("span", { "class": "pj-now" }, [icon("current"), t("now")]) : null,
        el("span", { "class": "pj-agenda-title", dir: "auto", text: item.title }),
        item.outcome ? el("span", { "class": "pj-agenda-outcome outcome-" + item.outcome },
                          [icon(item.outcome), t("outcome_" + item.outcome)]) : null
      ]);
    }));
  }

  function currentItem(snapshot) {
    var current = snapshot.current;
    if (!current) {
      nodes.kicker.textContent = snapshot.status === "closed" ? t("status_closed") :
        (snapshot.status === "scheduled" ? t("status_scheduled") : "");
      nodes.title.textContent = t("no_item");
      nodes.title.classList.add("is-empty");
      setText("");
      secondColumn(null);
      return;
    }
    nodes.title.classList.remove("is-empty");
    var items = snapshot.agenda || [];
    var index = items.findIndex(function (item) { return item.id === current.item_id; });
    var item = items[index] || {};
    var kicker = t("item_of", { n: index + 1, total: items.length });
    if (item.kind) { kicker += " · " + t("item_" + item.kind); }
    nodes.kicker.textContent = kicker;
    if (nodes.title.textContent !== current.title) { nodes.title.textContent = current.title; }
    setText(current.text_html || "");
    secondColumn(current);
  }

  /** The proposal in the meeting's second language, side by side with the original. */
  function secondColumn(current) {
    var two = !!(current && current.text_html_2);
    nodes.columns.classList.toggle("is-two", two);
    nodes.column2.hidden = !two;
    nodes.language.hidden = !two;
    if (!two) {
      nodes.text.removeAttribute("lang");
      shownText2 = null;
      return;
    }
    nodes.text.setAttribute("lang", current.language);
    nodes.language.textContent = current.language_name;
    nodes.language.setAttribute("lang", current.language);
    nodes.language2.textContent = current.language_name_2;
    nodes.language2.setAttribute("lang", current.language_2);
    nodes.text2.setAttribute("lang", current.language_2);
    nodes.title2.setAttribute("lang", current.language_2);
    nodes.title2.textContent = current.title_2 || "";
    nodes.title2.hidden = !current.title_2;
    nodes.outdated2.hidden = !current.outdated_2;
    if (current.text_html_2 !== shownText2) {
      shownText2 = current.text_html_2;
      // text_html_2 is the server's sanitised Markdown (bleach allowlist), safe to insert.
      nodes.text2.innerHTML = current.text_html_2;
    }
  }

  function setText(html) {
    if (html === shownText) { return; }
    shownText = html;
    // text_html is the server's sanitised Markdown (bleach allowlist), safe to insert.
    nodes.text.innerHTML = html;
    nodes.text.hidden = !html;
  }

  function outcome(snapshot) {
    var found = snapshot.outcome;
    var current = snapshot.current;
    if (!found || !current || found.item_id !== current.item_id) {
      nodes.outcome.hidden = true;
      return;
    }
    nodes.outcome.hidden = false;
    nodes.outcome.className = "pj-outcome outcome-" + found.outcome;
    L.replace(nodes.outcome, [
      el("p", { "class": "pj-outcome-word" }, [icon(found.outcome),
        t("outcome", { outcome: t("outcome_" + found.outcome) })]),
      found.reason ? el("p", { "class": "pj-outcome-reason", dir: "auto",
                               text: t("outcome_reason", { reason: found.reason }) }) : null
    ]);
  }

  function check(snapshot) {
    var found = snapshot.check;
    document.body.classList.toggle("has-check", !!found);
    if (!found) { nodes.check.hidden = true; return; }
    nodes.check.hidden = false;
    var counts = found.counts || {};
    var tiles = ANSWERS.map(function (answer) {
      var names = found.names && found.names[answer];
      return el("li", { "class": "pj-tile answer-" + answer }, [
        el("span", { "class": "pj-tile-label" }, [icon(answer), t("answer_" + answer)]),
        el("span", { "class": "pj-tile-count", text: String(counts[answer] || 0) }),
        names && names.length ? el("span", { "class": "pj-tile-names" },
          names.map(function (who, i) { return el("span", {}, [L.name(who), i < names.length - 1 ? ", " : ""]); })) : null
      ]);
    });
    var blocks = (found.blocks || []).map(function (block) {
      return el("li", { "class": "pj-block" }, [
        icon("block"), el("strong", {}, [L.name(block.name), ":"]), " ",
        el("span", { dir: "auto", text: block.reason })
      ]);
    });
    L.replace(nodes.checkBody, [
      el("p", { "class": "pj-check-state" + (found.open ? " is-open" : "") }, [
        el("strong", { text: found.open ? t("check_open") : t("check_closed") }), " · ",
        t("answered", { n: found.answered || 0 })
      ]),
      el("ul", { "class": "pj-tiles" }, tiles),
      blocks.length ? el("h3", { "class": "pj-blocks-heading", text: t("blocks") }) : null,
      blocks.length ? el("ul", { "class": "pj-blocks" }, blocks) : null
    ]);
  }

  function queue(snapshot) {
    var hands = snapshot.queue || [];
    if (!hands.length) {
      L.replace(nodes.queue, [el("li", { "class": "pj-empty", text: t("queue_empty") })]);
    } else {
      L.replace(nodes.queue, hands.slice(0, QUEUE_SHOWN).map(function (hand, index) {
        return el("li", { "class": "pj-hand hand-" + hand.kind }, [
          el("span", { "class": "pj-place", text: String(index + 1) }),
          el("span", { "class": "pj-hand-who" }, [
            el("span", { "class": "pj-hand-name" }, [L.name(hand.name)]),
            el("span", { "class": "pj-hand-kind" }, [icon(hand.kind), t("hand_" + hand.kind)])
          ])
        ]);
      }));
    }
    var more = hands.length - QUEUE_SHOWN;
    nodes.queueMore.hidden = more <= 0;
    nodes.queueMore.textContent = more > 0 ? t("queue_more", { n: more }) : "";
  }

  function speaker(snapshot) {
    var who = snapshot.speaker;
    if (!who) {
      L.replace(nodes.speaker, [el("p", { "class": "pj-empty", text: t("nobody_speaking") })]);
      return;
    }
    L.replace(nodes.speaker, [
      el("p", { "class": "pj-speaker-name" }, [L.name(who.name)]),
      el("p", { "class": "pj-speaker-facts" }, [
        el("span", { "class": "pj-hand-kind" }, [icon(who.kind || "new_point"), t("hand_" + (who.kind || "new_point"))]),
        el("span", { "class": "pj-speaker-time", dir: "ltr", id: "pj-speaker-time" })
      ])
    ]);
  }

  function header(snapshot) {
    nodes.participants.textContent = t("participants", { n: snapshot.participants || 0 });
    var f = snapshot.facilitator;
    L.replace(nodes.facilitator, f ? [el("span", {}, L.tNodes("facilitator", { name: L.name(f.name) }))]
      : [el("span", { text: t("no_facilitator") })]);
    nodes.statusWord.textContent = t("status_" + snapshot.status);
    nodes.openDiscussion.hidden = !(snapshot.meeting && snapshot.meeting.open_discussion);
  }

  function signals(snapshot) {
    client.freshSignals(snapshot, seenSignals, SIGNAL_SECONDS).forEach(function (signal) {
      var banner = el("p", { "class": "pj-signal signal-" + signal.kind },
                      [icon(signal.kind), t("signal_banner_" + signal.kind)]);
      nodes.signals.appendChild(banner);
      window.setTimeout(function () { banner.remove(); }, SIGNAL_SECONDS * 1000);
    });
  }

  /** Timers tick here between states: the server sends elapsed seconds, never a tick. */
  function tick() {
    var snapshot = client && client.snapshot;
    if (!snapshot) { return; }
    var timer = snapshot.timer || {};
    var seconds = client.elapsed(timer.elapsed_seconds, timer.running);
    var box = snapshot.current && snapshot.current.time_box_minutes;
    var text = L.clock(seconds);
    if (nodes.elapsed.textContent !== text) { nodes.elapsed.textContent = text; }
    var boxText = box ? "/ " + L.clock(box * 60) : "";
    if (nodes.box.textContent !== boxText) { nodes.box.textContent = boxText; }
    var over = !!box && seconds > box * 60;
    document.body.classList.toggle("is-over-time", over);
    document.body.classList.toggle("timer-running", !!timer.running);
    var state = over ? t("over_time") : (timer.running ? t("timer_running") : t("timer_paused"));
    if (nodes.timerState.textContent !== state) { nodes.timerState.textContent = state; }
    var speakerTime = document.getElementById("pj-speaker-time");
    if (speakerTime && snapshot.speaker) {
      var spoken = L.clock(client.elapsed(snapshot.speaker.elapsed_seconds, true));
      if (speakerTime.textContent !== spoken) { speakerTime.textContent = spoken; }
    }
  }

  function render(snapshot) {
    header(snapshot);
    agenda(snapshot);
    currentItem(snapshot);
    outcome(snapshot);
    check(snapshot);
    speaker(snapshot);
    queue(snapshot);
    signals(snapshot);
    tick();
  }

  function start() {
    client = new L.Client({ view: "projector", onState: render });
    window.setInterval(tick, 250);
    document.addEventListener("keydown", function (event) {
      if ((event.key === "f" || event.key === "F") && document.documentElement.requestFullscreen) {
        if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
      }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
