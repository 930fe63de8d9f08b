// The canvassing page: doors (or people to call) in order, a result in two taps, and an offline queue.
// Results wait in IndexedDB until the server has acknowledged them by the id made here on the phone,
// so a retry never duplicates a contact and a reload, a dead battery or no signal never loses one.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("canvass-config").textContent);
  const DB_NAME = "groundswell-field";
  const SHELL_CACHE = "field-shell-v1";
  let data = null;
  let done = {};  // person key -> result label, for this turf or list
  let syncing = false;
  let current = null;  // {stop, people} being recorded

  // ---- IndexedDB ----------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        const db = request.result;
        db.createObjectStore("queue", { keyPath: "uuid" });
        db.createObjectStore("done", { keyPath: "key" });
        db.createObjectStore("data", { keyPath: "key" });
        db.createObjectStore("refused", { keyPath: "uuid" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  const dbPromise = openDb();

  function tx(store, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        const t = db.transaction(store, mode);
        const result = work(t.objectStore(store));
        t.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error); };
      });
    });
  }
  const getAll = function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); };
  const put = function (store, value) { return tx(store, "readwrite", function (s) { s.put(value); }); };
  const del = function (store, keys) {
    return tx(store, "readwrite", function (s) { keys.forEach(function (k) { s.delete(k); }); });
  };

  // ---- ids, cookies ---------------------------------------------------------------------------
  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // ---- status ------------------------------------------------------------------------------
  function setStatus() {
    return Promise.all([getAll("queue"), getAll("refused")]).then(function (all) {
      const waiting = all[0].length;
      const refused = all[1].filter(function (r) { return r.queue_key === config.queue_key; });
      const el = document.getElementById("sync-status");
      let text = waiting === 1 ? "1 result waiting to sync" : waiting + " results waiting to sync";
      if (waiting === 0) { text = "All results synced"; }
      if (!navigator.onLine) { text = "Offline · " + text; }
      if (refused.length) { text += " · " + refused.length + " refused by the server: " + refused[0].error; }
      el.textContent = text;
      // A refused result needs the canvasser's attention as much as one still waiting.
      el.classList.toggle("waiting", waiting > 0 || refused.length > 0);
      el.classList.toggle("offline", !navigator.onLine);
      el.dataset.waiting = String(waiting);
    });
  }

  // ---- sync --------------------------------------------------------------------------------
  function syncNow() {
    if (syncing || !navigator.onLine) { return setStatus(); }
    syncing = true;
    return getAll("queue").then(function (items) {
      if (!items.length) { return null; }
      const batch = items.slice(0, 100);
      return fetch(config.sync_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ contacts: batch }),
      }).then(function (response) {
        if (response.status !== 200 && response.status !== 400) { throw new Error("server answered " + response.status); }
        return response.json().then(function (body) { return settle(batch, body); });
      }).then(function (more) { syncing = false; return more ? syncNow() : null; });
    }).catch(function () { return null; }).finally(function () { syncing = false; return setStatus(); });
  }

  function settle(batch, body) {
    const receipts = body.receipts || {};
    const errors = body.errors || {};
    const acknowledged = batch.filter(function (i) { return receipts[i.uuid]; }).map(function (i) { return i.uuid; });
    const refused = batch.filter(function (i) { return errors[i.uuid]; });
    return Promise.all(refused.map(function (i) { return put("refused", Object.assign({}, i, { error: errors[i.uuid] })); }))
      .then(function () { return del("queue", acknowledged.concat(refused.map(function (i) { return i.uuid; }))); })
      .then(function () { return acknowledged.length + refused.length > 0 && batch.length === 100; });
  }

  // ---- recording ---------------------------------------------------------------------------
  function personKey(p) { return p.voter_id ? "v:" + p.voter_id : "p:" + p.person_id; }

  function record(person, result, answers, doNotContact) {
    const item = {
      uuid: newUuid(), queue_key: config.queue_key, method: data.method, result: result.value,
      answers: answers || {}, do_not_contact: !!doNotContact, recorded_at: new Date().toISOString(),
      script: data.script ? data.script.id : null, voter_id: person.voter_id || "", person_id: person.person_id || null,
    };
    item[data.kind === "turf" ? "turf" : "call_list"] = data.id;
    const key = config.queue_key + ":" + personKey(person);
    done[personKey(person)] = result.label;
    return put("queue", item)
      .then(function () { return put("done", { key: key, label: result.label }); })
      .then(function () { render(); return setStatus(); })
      .then(syncNow);
  }

  // ---- rendering ---------------------------------------------------------------------------
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render() {
    const list = document.getElementById("stops");
    list.replaceChildren();
    let reached = 0;
    let total = 0;
    data.stops.forEach(function (stop, index) {
      const item = el("li", { class: "stop" });
      const head = el("div", { class: "stop-head" });
      head.append(el("span", { class: "stop-number" }, String(index + 1)));
      const where = el("div", { class: "stop-where" });
      where.append(el("strong", {}, stop.title));
      if (stop.phone) {
        const call = el("a", { href: "tel:" + stop.phone, class: "stop-phone" }, stop.phone);
        where.append(call);
      } else {
        where.append(el("small", {}, stop.subtitle));
      }
      head.append(where);
      const open = stop.people.filter(function (p) { return !done[personKey(p)]; });
      if (data.method === "door" && open.length > 1 && hasResult("not_home")) {
        const nobody = el("button", { type: "button", class: "secondary nobody" }, "Nobody home");
        nobody.addEventListener("click", function () {
          const result = data.results.find(function (r) { return r.value === "not_home"; });
          open.reduce(function (p, person) { return p.then(function () { return record(person, result); }); }, Promise.resolve());
        });
        head.append(nobody);
      }
      item.append(head);
      const people = el("ul", { class: "people" });
      stop.people.forEach(function (person) {
        total += 1;
        const label = done[personKey(person)];
        if (label) { reached += 1; }
        const row = el("li", {});
        const button = el("button", { type: "button", class: label ? "person done" : "person", "data-key": personKey(person) });
        button.append(el("span", { class: "person-name" }, (person.unit ? person.unit + " · " : "") + person.name));
        button.append(el("span", { class: "person-detail" }, label ? "✓ " + label : person.detail));
        button.setAttribute("aria-label", "Record result for " + person.name + (label ? " (recorded: " + label + ")" : ""));
        button.addEventListener("click", function () { openRecord(stop, person); });
        row.append(button);
        people.append(row);
      });
      item.append(people);
      list.append(item);
    });
    document.getElementById("canvass-progress").textContent =
      data.stops.length + (data.kind === "turf" ? " doors · " : " calls · ") + reached + " of " + total + " recorded";
  }

  function hasResult(value) { return data.results.some(function (r) { return r.value === value; }); }

  function renderScript() {
    const box = document.getElementById("script-box");
    if (!data.script) { return; }
    box.replaceChildren();
    const details = el("details", {});
    details.append(el("summary", {}, "Script: " + data.script.name));
    details.append(el("p", {}, data.script.intro || ""));
    box.append(details);
    box.hidden = false;
  }

  function openRecord(stop, person) {
    current = person;
    const dialog = document.getElementById("record");
    document.getElementById("record-who").textContent = person.name + " · " + stop.title;
    document.getElementById("do-not-contact").checked = false;
    const buttons = document.getElementById("result-buttons");
    buttons.replaceChildren(el("legend", {}, "What happened?"));
    const talked = el("button", { type: "button", class: "result talked" }, "Talked to them");
    talked.addEventListener("click", showQuestions);
    buttons.append(talked);
    data.results.forEach(function (result) {
      const b = el("button", { type: "button", class: "result secondary" }, result.label);
      b.addEventListener("click", function () {
        dialog.close();
        record(person, result, {}, document.getElementById("do-not-contact").checked);
      });
      buttons.append(b);
    });
    document.getElementById("questions").hidden = true;
    document.getElementById("save-contacted").hidden = true;
    dialog.showModal();
  }

  function showQuestions() {
    const box = document.getElementById("questions");
    box.replaceChildren();
    (data.script ? data.script.questions : []).forEach(function (q) {
      const set = el("fieldset", { class: "question" });
      set.append(el("legend", {}, q.kind === "support" ? q.label + " (1 = strongly yes … 5 = strongly no)" : q.label));
      q.choices.forEach(function (choice) {
        const id = "q-" + q.key + "-" + String(choice).replace(/\W+/g, "_");
        const label = el("label", { for: id, class: "choice" });
        const input = el("input", { type: "radio", name: q.key, value: String(choice), id: id });
        label.append(input, document.createTextNode(" " + choice));
        set.append(label);
      });
      box.append(set);
    });
    box.hidden = false;
    document.getElementById("save-contacted").hidden = false;
    document.getElementById("result-buttons").hidden = true;
  }

  function saveContacted() {
    const answers = {};
    document.querySelectorAll("#questions input:checked").forEach(function (input) { answers[input.name] = input.value; });
    const dialog = document.getElementById("record");
    dialog.close();
    document.getElementById("result-buttons").hidden = false;
    record(current, { value: "contacted", label: "Talked to them" }, answers, document.getElementById("do-not-contact").checked);
  }

  // ---- loading -----------------------------------------------------------------------------
  function loadData() {
    return fetch(config.data_url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (fresh) {
      return put("data", { key: config.queue_key, user: config.user, data: fresh }).then(function () { return fresh; });
    }).catch(function () {
      return tx("data", "readonly", function (s) { return s.get(config.queue_key); }).then(function (saved) {
        if (!saved || saved.user !== config.user) { throw new Error("This turf is not saved on this phone yet."); }
        return saved.data;
      });
    });
  }

  function loadDone() {
    return getAll("done").then(function (rows) {
      const prefix = config.queue_key + ":";
      rows.forEach(function (r) { if (r.key.indexOf(prefix) === 0) { done[r.key.slice(prefix.length)] = r.label; } });
    });
  }

  function cacheShell() {
    // Keep this page and its files for offline reloads (the service worker answers from this cache).
    if (!("caches" in window) || !navigator.onLine) { return Promise.resolve(); }
    const urls = [location.pathname];
    document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]").forEach(function (n) {
      urls.push(n.getAttribute("src") || n.getAttribute("href"));
    });
    return caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(urls); }).catch(function () {});
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    return navigator.serviceWorker.register(config.sw_url, { scope: config.sw_scope })
      .then(function () { return navigator.serviceWorker.ready; }).catch(function () {});
  }

  document.getElementById("save-contacted").addEventListener("click", saveContacted);
  document.getElementById("record-cancel").addEventListener("click", function () {
    document.getElementById("record").close();
    document.getElementById("result-buttons").hidden = false;
  });
  window.addEventListener("online", syncNow);
  window.addEventListener("offline", setStatus);

  Promise.all([loadData(), loadDone()]).then(function (loaded) {
    data = loaded[0];
    renderScript();
    render();
    return setStatus();
  }).then(function () {
    return Promise.all([registerWorker(), cacheShell()]);
  }).then(function () {
    document.body.dataset.ready = "offline-ready";
    return syncNow();
  }).catch(function (error) {
    const box = document.getElementById("load-error");
    box.textContent = "Could not load the list: " + error.message;
    box.hidden = false;
    setStatus();
  });
  setInterval(syncNow, 30000);
})();
