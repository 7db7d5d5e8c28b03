/* Assembly live client, shared by the projector, the console and the phone.
   Connects over Socket.IO, joins the meeting, applies `state` in `seq` order and asks for a
   snapshot when a number is missing or after a reconnect. Every action carries an action id, so a
   retry after a lost answer is applied only once by the server (PROTOCOL.md).
   No English in here: every word comes from the page's #live-strings catalogue. */
(function () {
  "use strict";

  var ACK_TIMEOUT_MS = 8000;
  var RETRY_JOIN_MS = 5000;
  var MIRRORED_ICONS = { direct_response: true, stand_aside: true, current: true };

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  var strings = readJSON("live-strings");

  /** A translated string with %(name)s placeholders filled in. */
  function t(key, values) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (!values) { return text; }
    return text.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  /** Like t(), but values may be DOM nodes (a <bdi> name): returns a list of strings and nodes
      to give to el() as children. */
  function tNodes(key, values) {
    var text = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    var parts = [];
    var pattern = /%\((\w+)\)s/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      parts.push(text.slice(last, match.index));
      var value = values[match[1]];
      parts.push(value instanceof window.Node ? value : String(value));
      last = pattern.lastIndex;
    }
    parts.push(text.slice(last));
    return parts.filter(function (part) { return part !== ""; });
  }

  /** A v4 UUID. crypto.randomUUID exists only on https; a clinic's LAN may be plain http. */
  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") +
      "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  // --- small DOM helpers -------------------------------------------------------------------

  /** el("li", {class: "x", dir: "auto"}, [children or strings]) */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "icon icon-" + name + (MIRRORED_ICONS[name] ? " icon-mirror" : ""));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS(ns, "use");
    use.setAttribute("href", "#i-" + name);
    svg.appendChild(use);
    return svg;
  }

  /** A person's name, isolated so an Arabic name in a Greek page keeps its own direction. */
  function name(text) { return el("bdi", { text: text || "" }); }

  function replace(node, children) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false || child === "") { return; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
  }

  /** A moment from the server (epoch seconds or an ISO date) as epoch seconds. */
  function seconds(moment) {
    return typeof moment === "number" ? moment : Date.parse(moment) / 1000;
  }

  /** 462 -> "07:42"; 3725 -> "1:02:05" */
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (rest < 10 ? "0" : "") + rest;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function announce(text) {
    var region = document.getElementById("live-announce");
    if (!region || !text) { return; }
    // Clear first so the same words twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 60);
  }

  /** Words for what changed between two snapshots, for the aria-live region. */
  function describeChanges(before, after) {
    var said = [];
    if (!before || !after) { return said; }
    var old = {};
    (before.queue || []).forEach(function (hand) { old[hand.hand_id] = hand; });
    var now = {};
    (after.queue || []).forEach(function (hand) {
      now[hand.hand_id] = hand;
      if (!old[hand.hand_id]) {
        said.push(t("hand_raised", { name: hand.name, kind: t("hand_" + hand.kind) }));
      }
    });
    var speakerId = after.speaker && after.speaker.participant_id;
    var wasSpeakerId = before.speaker && before.speaker.participant_id;
    (before.queue || []).forEach(function (hand) {
      if (!now[hand.hand_id] && hand.participant_id !== speakerId) {
        said.push(t("hand_lowered", { name: hand.name }));
      }
    });
    if (speakerId && speakerId !== wasSpeakerId) {
      said.push(t("now_speaking", { name: after.speaker.name }));
    }
    var check = after.check;
    var wasCheck = before.check;
    if (check && check.open && !(wasCheck && wasCheck.open && wasCheck.id === check.id)) {
      said.push(t("check_opened"));
    } else if (wasCheck && wasCheck.open && (!check || !check.open)) {
      said.push(t("check_ended"));
    }
    if (check && wasCheck && check.id === wasCheck.id && check.answered !== wasCheck.answered) {
      said.push(t("check_summary", check.counts || {}));
    }
    if (after.outcome && !(before.outcome && before.outcome.outcome === after.outcome.outcome &&
        before.outcome.item_id === after.outcome.item_id)) {
      said.push(t("outcome", { outcome: t("outcome_" + after.outcome.outcome) }));
    }
    return said;
  }

  // --- the connection ----------------------------------------------------------------------

  /**
   * new LiveClient({view, onState(snapshot, previous), onConsole(data), onError(text, code),
   *                 onAck(response, action), onStatus(state)})
   * state is one of: connecting, live, reconnecting, offline, refused.
   */
  function LiveClient(options) {
    var config = readJSON("live-config");
    this.config = config;
    this.meetingId = config.meeting_id;
    this.view = options.view || config.view;
    this.options = options;
    this.seq = null;
    this.snapshot = null;
    this.participantId = null;
    this.me = null;               // what this client may do and has done (from the server)
    this.receivedAt = 0;          // performance.now() when the snapshot arrived
    this.clockOffset = 0;         // local seconds minus server seconds
    this.joined = false;
    this.resyncing = false;
    this.pending = [];            // actions not yet answered, in the order they were made
    this.reported = {};           // action ids whose refusal has been shown already
    this.status = "connecting";
    this.attempt = 0;
    this.statusNode = document.getElementById("live-status");
    this.connect();
  }

  LiveClient.prototype.connect = function () {
    var self = this;
    // Reconnection is built in; the delays stay short because a room is waiting.
    var socket = window.io({ reconnectionDelay: 500, reconnectionDelayMax: 4000, timeout: 10000 });
    this.socket = socket;

    socket.on("connect", function () { self.join(); });
    socket.on("disconnect", function (reason) {
      self.joined = false;
      self.setStatus(navigator.onLine === false ? "offline" : "reconnecting");
      if (reason === "io server disconnect") {
        // The server closed us on purpose (a restart): the client will not retry by itself.
        window.setTimeout(function () { socket.connect(); }, 1000);
      }
    });
    socket.on("connect_error", function () {
      self.setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    });
    socket.io.on("reconnect_attempt", function (attempt) {
      self.attempt = attempt;
      self.setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    });
    socket.on("state", function (message) { self.onState(message); });
    socket.on("console", function (message) {
      if (message.meeting_id === self.meetingId && self.options.onConsole) {
        self.options.onConsole(message.console, message.seq);
      }
    });
    socket.on("action_error", function (message) { self.refused(message.action_id, message.error, message.code); });

    window.addEventListener("online", function () { if (!socket.connected) { socket.connect(); } });
    window.addEventListener("offline", function () { self.setStatus("offline"); });
    // A phone that slept may have missed a lot: catch up when the page is seen again.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && self.joined) { self.resync(); }
    });
  };

  LiveClient.prototype.setStatus = function (state) {
    this.status = state;
    document.body.setAttribute("data-state", state);
    var words = {
      connecting: t("connecting"),
      live: t("connected"),
      reconnecting: this.attempt > 1 ? t("reconnecting_attempt", { n: this.attempt }) : t("reconnecting"),
      offline: t("offline"),
      refused: this.refusal || ""
    }[state] || "";
    if (this.statusNode) {
      var text = this.statusNode.querySelector(".live-status-text") || this.statusNode;
      if (text.textContent !== words) { text.textContent = words; }
    }
    if (this.options.onStatus) { this.options.onStatus(state, words); }
  };

  LiveClient.prototype.join = function () {
    var self = this;
    this.setStatus(this.status === "live" ? "live" : (this.seq === null ? "connecting" : "reconnecting"));
    this.socket.timeout(ACK_TIMEOUT_MS).emit("join", { meeting_id: this.meetingId, view: this.view },
      function (err, response) {
        if (err) { self.retryJoin(); return; }
        if (!response || !response.ok) {
          self.refusal = t("join_failed", { error: (response && response.error) || "" });
          self.setStatus("refused");
          self.retryJoin();
          return;
        }
        self.participantId = response.participant_id;
        self.joined = true;
        self.attempt = 0;
        self.setStatus("live");
        self.setMe(response);
        if (response.console && self.options.onConsole) { self.options.onConsole(response.console); }
        self.apply(response.snapshot);
        self.flush();
      });
  };

  LiveClient.prototype.retryJoin = function () {
    var self = this;
    window.setTimeout(function () { if (self.socket.connected && !self.joined) { self.join(); } }, RETRY_JOIN_MS);
  };

  LiveClient.prototype.onState = function (message) {
    if (message.meeting_id !== this.meetingId) { return; }
    if (this.resyncing) { this.lateState = message; return; }
    if (this.seq !== null && message.seq <= this.seq) { return; }      // old news or a repeat
    if (this.seq !== null && message.seq > this.seq + 1) { this.resync(); return; }  // a gap
    this.apply(message.snapshot);
  };

  /** Ask for the whole state (after a gap in seq, or when a sleeping phone wakes up). */
  LiveClient.prototype.resync = function () {
    var self = this;
    if (this.resyncing || !this.socket.connected) { return; }
    this.resyncing = true;
    this.lateState = null;
    this.socket.timeout(ACK_TIMEOUT_MS).emit("snapshot", { meeting_id: this.meetingId }, function (err, response) {
      self.resyncing = false;
      if (!err && response && response.ok) {
        self.setMe(response);
        self.apply(response.snapshot);
      }
      var late = self.lateState;
      self.lateState = null;
      if (err || !response || !response.ok) {
        window.setTimeout(function () { self.resync(); }, 1000);
      } else if (late) {
        self.onState(late);
      }
    });
  };

  LiveClient.prototype.apply = function (snapshot) {
    if (!snapshot) { return; }
    var previous = this.snapshot;
    this.snapshot = snapshot;
    this.seq = snapshot.seq;
    this.receivedAt = window.performance.now();
    if (snapshot.timer && typeof snapshot.timer.server_time === "number") {
      this.clockOffset = Date.now() / 1000 - snapshot.timer.server_time;
    }
    if (this.options.onState) { this.options.onState(snapshot, previous); }
    this.waitForStart(snapshot);
    describeChanges(previous, snapshot).forEach(function (words, index) {
      window.setTimeout(function () { announce(words); }, index * 1500);
    });
  };

  LiveClient.prototype.setMe = function (response) {
    if (!response.me) { return; }
    this.me = response.me;
    // me.answer belongs to the check that was latest when it was sent.
    this.meCheckId = response.snapshot && response.snapshot.check ? response.snapshot.check.id : null;
  };

  /** Starting a meeting happens on its page; until it has started, look again now and then. */
  LiveClient.prototype.waitForStart = function (snapshot) {
    var self = this;
    window.clearTimeout(this.startTimer);
    if (snapshot.status === "scheduled") {
      this.startTimer = window.setTimeout(function () { self.resync(); }, 15000);
    }
  };

  /** Seconds now for a value the server gave at snapshot time, ticking if `running`. */
  LiveClient.prototype.elapsed = function (seconds, running) {
    var base = Number(seconds) || 0;
    return running ? base + (window.performance.now() - this.receivedAt) / 1000 : base;
  };

  /** The server's clock now, in seconds (for the age of signals). */
  LiveClient.prototype.serverNow = function () { return Date.now() / 1000 - this.clockOffset; };

  /** Send an action. Resolves with the server's answer ({ok, seq} or {ok: false, error}). */
  LiveClient.prototype.act = function (type, fields) {
    var self = this;
    var action = Object.assign({}, fields || {}, {
      meeting_id: this.meetingId, action_id: uuid(), type: type
    });
    return new Promise(function (resolve) {
      var entry = { action: action, resolve: resolve, tries: 0 };
      self.pending.push(entry);
      if (self.joined) { self.send(entry); } else if (self.options.onError) { self.options.onError(t("will_send"), "waiting"); }
    });
  };

  LiveClient.prototype.send = function (entry) {
    var self = this;
    entry.tries += 1;
    entry.inFlight = true;
    this.socket.timeout(ACK_TIMEOUT_MS).emit("act", entry.action, function (err, response) {
      entry.inFlight = false;
      if (err) {
        // No answer: send the same action (same id) again; the server applies it once.
        if (self.joined && entry.tries < 4) { self.send(entry); }
        return;
      }
      self.pending = self.pending.filter(function (other) { return other !== entry; });
      if (!response.ok) { self.refused(entry.action.action_id, response.error, response.code); }
      // Saved, but the room was not told (the message queue is down): say so, do not resend.
      if (response.ok && response.warning && self.options.onError) { self.options.onError(response.warning, response.code); }
      if (self.options.onAck) { self.options.onAck(response, entry.action); }
      entry.resolve(response);
    });
  };

  /** After (re)joining: send what was made while away, oldest first, with the same ids. */
  LiveClient.prototype.flush = function () {
    var self = this;
    this.pending.forEach(function (entry) { if (!entry.inFlight) { entry.tries = 0; self.send(entry); } });
  };

  LiveClient.prototype.refused = function (actionId, error, code) {
    if (actionId && this.reported[actionId]) { return; }
    if (actionId) { this.reported[actionId] = true; }
    if (this.options.onError) { this.options.onError(t("refused", { error: error || "" }), code); }
  };

  /** Signals raised in the last few seconds that this page has not shown yet. */
  LiveClient.prototype.freshSignals = function (snapshot, seen, maxAgeSeconds) {
    var now = this.serverNow();
    return (snapshot.signals || []).filter(function (signal) {
      var key = signal.kind + "@" + signal.at;
      if (seen[key]) { return false; }
      seen[key] = true;
      return now - seconds(signal.at) < maxAgeSeconds;
    });
  };

  /** A feeder for the #live-feedback box: errors stay (and are alerts), the rest fade after
      `keepMs`. */
  function feedbackBox(keepMs) {
    var timer = null;
    return function (text, isError) {
      var box = document.getElementById("live-feedback");
      box.classList.toggle("is-error", !!isError);
      box.setAttribute("role", isError ? "alert" : "status");
      box.textContent = text;
      window.clearTimeout(timer);
      if (!isError) { timer = window.setTimeout(function () { box.textContent = ""; }, keepMs); }
    };
  }

  window.Live = {
    feedbackBox: feedbackBox, Client: LiveClient, t: t, tNodes: tNodes, el: el, icon: icon, name: name, replace: replace, clock: clock,
    announce: announce, seconds: seconds, describeChanges: describeChanges, uuid: uuid
  };
}());
