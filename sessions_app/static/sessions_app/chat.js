// Progressive enhancement of the chat page: post through the API without a full reload.
// Without JavaScript the form posts normally.
(function () {
  "use strict";

  var form = document.getElementById("chat-form");
  var log = document.getElementById("chat-log");
  if (!form || !log || !window.fetch) { return; }
  // Hidden while a reply is owed only for pages that reload themselves (no JavaScript).
  if (form.hasAttribute("data-shown-by-script")) { form.hidden = false; }
  var input = form.querySelector("[data-chat-input]");
  var errorBox = document.getElementById("chat-error");
  var pending = document.getElementById("chat-pending");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var submit = form.querySelector("button[type=submit]");
  var knownIds = {};
  Array.prototype.forEach.call(log.querySelectorAll("[data-message-id]"), function (item) {
    knownIds[item.getAttribute("data-message-id")] = true;
  });

  function headers() {
    return { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token ? token.value : "" };
  }

  // One error at a time: a new one (or a new attempt) also retires the field errors the
  // server rendered for an earlier post ("This field is required."), which no longer apply.
  function showError(text) {
    Array.prototype.forEach.call(form.querySelectorAll(".errorlist"), function (list) {
      if (list !== errorBox) { list.remove(); }
    });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (field) {
      field.classList.remove("has-error");
    });
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  // The person's message shows at once, marked as sending, until the server has it.
  function provisional(content) {
    var item = bubble({ role: "user", content: content });
    item.classList.add("sending");
    item.setAttribute("aria-busy", "true");
    place(item);
    return item;
  }

  function append(message, replacing) {
    if (!message || knownIds[message.id]) {
      if (replacing) { replacing.remove(); }
      return;
    }
    knownIds[message.id] = true;
    var item = bubble(message);
    item.setAttribute("data-message-id", message.id);
    if (replacing) {
      log.replaceChild(item, replacing);
    } else {
      insertInOrder(item, Number(message.id));
    }
  }

  // Messages written in another tab arrive with the next answer: each goes where its id
  // puts it, so the conversation reads in the order it happened.
  function insertInOrder(item, id) {
    var items = log.querySelectorAll("[data-message-id]");
    for (var index = 0; index < items.length; index++) {
      if (Number(items[index].getAttribute("data-message-id")) > id) {
        log.insertBefore(item, items[index]);
        return;
      }
    }
    place(item);
  }

  // After a reply that came with the answer: anything another tab added meanwhile.
  function catchUp() {
    fetch(form.getAttribute("data-session-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (session) {
        if (session) { session.messages.forEach(function (message) { append(message); }); }
      })
      .catch(function () { /* the next reload shows them */ });
  }

  function place(item) {
    var previous = document.getElementById("latest");
    if (previous) { previous.removeAttribute("id"); }
    item.id = "latest";
    log.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  // The safety reply's helplines as links, as the page renders them: text nodes and anchors
  // built one by one (never parsed as HTML), http(s) addresses only.
  function linkify(element, content) {
    var pattern = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(content)) !== null) {
      element.appendChild(document.createTextNode(content.slice(last, match.index)));
      var link = document.createElement("a");
      link.href = match[0];
      link.rel = "nofollow";
      link.textContent = match[0];
      element.appendChild(link);
      last = match.index + match[0].length;
    }
    element.appendChild(document.createTextNode(content.slice(last)));
  }

  function bubble(message) {
    var item = document.createElement("li");
    item.className = "bubble " + message.role + (message.safety ? " safety" : "");
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = message.role === "user" ? "You said:" : "Companion:";
    var text = document.createElement("div");
    text.className = "bubble-text";
    text.dir = "auto";
    if (message.role === "companion" && message.safety) {
      linkify(text, message.content);
    } else {
      text.textContent = message.content; // textContent: never parsed as HTML
    }
    item.appendChild(label);
    item.appendChild(text);
    if (message.role === "companion" && message.technique) {
      var link = document.createElement("a");
      link.className = "technique-link small";
      link.href = "/library/" + encodeURIComponent(message.technique) + "/";
      link.textContent = message.technique_name || message.technique;
      item.appendChild(link);
    }
    return item;
  }

  // While the companion is answering: the button rests and the page says so.
  function setBusy(busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    submit.disabled = busy;
    if (pending) { pending.hidden = !busy; }
  }

  // Poll the session until a provider's reply lands. A worker may take longer than a minute
  // (three attempts of AI_TIMEOUT, 20 s each by default, plus backoff, plus the queue), and a
  // reply always comes in the end (the offline companion's if need be), so the page keeps
  // asking for as long as the session says one is owed: every 1.5 s for the first half
  // minute, then less and less often, at most every 15 s.
  function pollDelay(attempt) {
    return attempt < 20 ? 1500 : Math.min(15000, 1500 * Math.pow(1.25, attempt - 20));
  }

  // One poller at a time: a second message sent while waiting restarts the quick cadence
  // instead of starting a second loop.
  var pollRun = 0;

  function waitForReply(attempt, run) {
    if (run === undefined) { run = ++pollRun; }
    if (run !== pollRun) { return; }
    pending.hidden = false;
    window.setTimeout(function () {
      if (run !== pollRun) { return; }
      fetch(form.getAttribute("data-session-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (session) {
          if (!session) { return waitForReply(attempt + 1, run); }
          session.messages.forEach(function (message) { append(message); });
          if (session.awaiting_reply) { return waitForReply(attempt + 1, run); }
          setBusy(false);
        })
        .catch(function () { waitForReply(attempt + 1, run); });
    }, pollDelay(attempt));
  }

  form.addEventListener("submit", function (event) {
    var content = input.value.trim();
    if (!content) { return; } // let the server explain
    event.preventDefault();
    showError("");
    setBusy(true);
    var sending = provisional(content);
    input.value = "";
    fetch(form.getAttribute("data-api-url"), {
      method: "POST",
      headers: headers(),
      credentials: "same-origin",
      body: JSON.stringify({ content: content })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.status === 201) {
        append(result.body.message, sending);
        if (result.body.reply) {
          setBusy(false);
          append(result.body.reply);
          catchUp();
        } else {
          submit.disabled = false;
          waitForReply(0);
        }
        input.focus();
        return;
      }
      // Not sent: the text goes back into the box, nothing is lost.
      setBusy(false);
      sending.remove();
      input.value = content;
      var error = result.body && result.body.error;
      if (error && error.code === "not_authenticated") {
        // Signed out meanwhile (another tab, an expired session): post the form as it would be
        // without JavaScript. The server keeps the text through the login and puts it back
        // into the box afterwards (journal_project/unsaved.py); form.submit() fires no
        // submit event, so this handler does not run again.
        form.submit();
        return;
      }
      if (result.status === 409) {
        // Ended elsewhere (another tab): say so, as the page does without JavaScript, and keep
        // the text in the box; a reload here would throw it away.
        showError("This session has ended. Start a new one to keep reflecting.");
      } else if (result.status === 429) {
        showError("That's a lot of messages in a short time. Please wait a moment and try again.");
      } else {
        showError(error && error.message ? error.message : "Something went wrong. Please try again.");
      }
    }).catch(function () {
      // No answer (the connection dropped): the server may have saved the message or not.
      // Posting it again, as a plain form post did here, could save it twice. Look instead.
      settleUnanswered(content, sending);
    });
  });

  // After a send that got no answer: if the session now holds the message, it was sent
  // (show it, and wait for the reply as usual); if not, or the journal cannot be reached,
  // the text goes back into the box with a note, to send again.
  function settleUnanswered(content, sending) {
    fetch(form.getAttribute("data-session-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (session) {
        var sent = content.normalize("NFC");
        var saved = session && session.messages.filter(function (message) {
          return message.role === "user" && !knownIds[message.id] && message.content.normalize("NFC") === sent;
        }).pop();
        if (!saved) { throw new Error("not saved"); }
        append(saved, sending);
        session.messages.forEach(function (message) { append(message); });
        if (session.awaiting_reply) {
          submit.disabled = false;
          waitForReply(0);
        } else {
          setBusy(false);
        }
      })
      .catch(function () {
        setBusy(false);
        sending.remove();
        input.value = content;
        showError("The journal could not be reached, so your message was not sent. It is still in the box: send it again when you are back online.");
      });
  }

  if (pending && !pending.hidden) { waitForReply(0); }
})();
