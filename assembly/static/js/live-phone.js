/* The participant's phone: raise and lower a hand, signal, answer a consensus check. */
(function () {
  "use strict";

  var L = window.Live;
  var t = L.t, el = L.el;
  var $ = function (id) { return document.getElementById(id); };
  var client;
  var shownText = null;
  var left = null;  // said leaving before the end (null: not known yet)
  var feedback = L.feedbackBox(4000);

  // --- what the page shows ----------------------------------------------------------------

  function myHand(snapshot) {
    var me = client.participantId;
    var queue = snapshot.queue || [];
    for (var i = 0; i < queue.length; i++) {
      if (queue[i].participant_id === me) { return { hand: queue[i], place: i + 1 }; }
    }
    return null;
  }

  function renderHand(snapshot) {
    var mine = myHand(snapshot);
    var speaking = snapshot.speaker && snapshot.speaker.participant_id === client.participantId;
    var state = $("ph-my-hand");
    state.classList.toggle("is-raised", !!mine);
    state.classList.toggle("is-speaking", !!speaking);
    state.textContent = speaking ? t("you_speak") : mine ?
      t("my_hand", { kind: t("hand_" + mine.hand.kind), n: mine.place }) : t("my_hand_none");
    document.querySelectorAll("[data-hand]").forEach(function (button) {
      button.setAttribute("aria-pressed", mine && mine.hand.kind === button.dataset.hand ? "true" : "false");
    });
    $("ph-lower").disabled = !mine;
    $("ph-lower").dataset.handId = mine ? mine.hand.hand_id : "";
  }

  function answerKey(check) { return "assembly-answer-" + client.meetingId + "-" + check.id; }

  function renderCheck(snapshot) {
    var check = snapshot.check;
    var section = $("ph-check");
    var open = !!(check && check.open);
    if (open && section.hidden) { section.hidden = false; }
    section.hidden = !open;
    if (!open) { return; }
    var given = null;
    try { given = window.localStorage.getItem(answerKey(check)); } catch (e) { given = null; }
    if (!given && client.me && client.meCheckId === check.id) { given = client.me.answer; }
    document.querySelectorAll("#ph-answer-form [name=answer]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === given ? "true" : "false");
    });
    $("ph-my-answer").textContent = given ? t("your_answer", { answer: t("answer_" + given) }) : t("no_answer");
  }

  function renderItem(snapshot) {
    var current = snapshot.current;
    var title = $("ph-title");
    var items = snapshot.agenda || [];
    if (current) {
      title.textContent = current.title;
      var index = items.findIndex(function (item) { return item.id === current.item_id; });
      $("ph-kicker").textContent = t("item_of", { n: index + 1, total: items.length });
    } else {
      title.textContent = snapshot.status === "closed" ? t("status_closed") :
        (snapshot.status === "scheduled" ? t("status_scheduled") : t("no_item"));
      $("ph-kicker").textContent = "";
    }
    var html = (current && current.text_html) || "";
    if (html !== shownText) {
      shownText = html;
      // The server's sanitised Markdown (bleach allowlist).
      $("ph-text").innerHTML = html;
    }
    var outcome = snapshot.outcome;
    var box = $("ph-outcome");
    box.hidden = !(outcome && current && outcome.item_id === current.item_id);
    if (!box.hidden) {
      box.className = "ph-outcome outcome-" + outcome.outcome;
      L.replace(box, [L.icon(outcome.outcome), " ", t("outcome", { outcome: t("outcome_" + outcome.outcome) }),
        outcome.reason ? el("span", { dir: "auto", text: " — " + outcome.reason }) : null]);
    }
    L.replace($("ph-agenda"), items.map(function (item) {
      var isCurrent = current && item.id === current.item_id;
      return el("li", { "class": isCurrent ? "is-current" : null, "aria-current": isCurrent ? "step" : null }, [
        el("span", { dir: "auto", text: item.title }),
        isCurrent ? el("span", { "class": "ph-tag", text: t("now") }) : null,
        item.outcome ? el("span", { "class": "ph-tag", text: t("outcome_" + item.outcome) }) : null
      ]);
    }));
  }

  function render(snapshot) {
    $("ph-open-discussion").hidden = !(snapshot.meeting && snapshot.meeting.open_discussion);
    renderItem(snapshot);
    renderCheck(snapshot);
    renderHand(snapshot);
    if (left === null && client.me) { left = !!client.me.left; }
    renderLeft(!!left);
    var closed = snapshot.status !== "live";
    document.querySelectorAll("[data-hand], [data-signal], #ph-answer-form [name=answer], #ph-leave, #ph-back").forEach(function (button) {
      button.disabled = closed;
    });
  }

  // --- what a tap does --------------------------------------------------------------------

  /** Leaving or back: the server says which when joining (me.left); leaving sets it, and any
      other action counts one back. */
  function renderLeft(isLeft) {
    $("ph-leave").hidden = isLeft;
    $("ph-back").hidden = !isLeft;
  }

  function send(type, fields, done) {
    return client.act(type, fields).then(function (response) {
      if (response.ok) {
        feedback(done);
        left = type === "leave";
        renderLeft(left);
      }
      return response;
    });
  }

  function answer(event) {
    event.preventDefault();
    var choice = event.submitter && event.submitter.value;
    if (!choice || !client.snapshot || !client.snapshot.check) { return; }
    var reasonBox = $("ph-reason");
    var error = $("ph-reason-error");
    var reason = reasonBox.value.trim();
    if (choice === "block" && !reason) {
      // Refuse to send: a block without its reason cannot be answered by the assembly.
      error.hidden = false;
      error.textContent = t("block_needs_reason");
      reasonBox.setAttribute("aria-invalid", "true");
      reasonBox.setAttribute("aria-describedby", "ph-reason-error ph-reason-hint");
      reasonBox.focus();
      return;
    }
    error.hidden = true;
    error.textContent = "";
    reasonBox.removeAttribute("aria-invalid");
    reasonBox.setAttribute("aria-describedby", "ph-reason-hint");
    var check = client.snapshot.check;
    send("answer", { check_id: check.id, answer: choice, reason: reason }, t("answer_sent")).then(function (response) {
      if (!response.ok) { return; }
      try { window.localStorage.setItem(answerKey(check), choice); } catch (e) { /* private mode */ }
      renderCheck(client.snapshot);
    });
  }

  function start() {
    client = new L.Client({
      view: "participant",
      onState: render,
      onError: function (text, code) { feedback(text, code !== "waiting"); },
      onStatus: function (state) {
        if (state === "live" && $("live-feedback").textContent === t("will_send")) { feedback(""); }
      }
    });
    document.querySelectorAll("[data-hand]").forEach(function (button) {
      button.addEventListener("click", function () {
        send("raise_hand", { kind: button.dataset.hand }, t("hand_sent"));
      });
    });
    $("ph-lower").addEventListener("click", function () {
      var id = Number($("ph-lower").dataset.handId);
      send("lower_hand", id ? { hand_id: id } : {}, t("done"));
    });
    document.querySelectorAll("[data-signal]").forEach(function (button) {
      button.addEventListener("click", function () {
        send("signal", { kind: button.dataset.signal }, t("signal_sent"));
      });
    });
    $("ph-answer-form").addEventListener("submit", answer);
    $("ph-leave").addEventListener("click", function () { send("leave", {}, t("left")); });
    $("ph-back").addEventListener("click", function () { send("come_back", {}, t("back")); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
