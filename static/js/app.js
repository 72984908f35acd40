/* The staff pages' few behaviours. No inline scripts anywhere: everything hooks on data-* attributes. */
(function () {
  "use strict";

  var $ = function (selector, root) { return (root || document).querySelector(selector); };
  var $$ = function (selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); };

  function announce(region, text) {
    // Clear first so that the same words said twice are still announced.
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  /* Times in the viewer's timezone: the server renders them in the zone this cookie names. */
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* no Intl: times stay in UTC, labelled as such */ }

  /* "/" jumps to the search box, unless the person is typing somewhere. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    var search = $("#search");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  /* ---- htmx: keep focus where it was, say when results are loading. ---- */
  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var results = $("#results");
    if (results && event.detail.target === results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function () {
    var results = $("#results");
    if (results) results.removeAttribute("aria-busy");
  });
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedId = active && active.id && active !== document.body ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (focusedId && document.activeElement && document.activeElement !== document.body &&
        document.activeElement.id === focusedId) {
      focusedId = null;
      return; // focus was outside the swapped part (the search box): leave it and its caret alone
    }
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) again.focus();
      else if (event.detail.target && event.detail.target.id === "results") {
        var fallback = $("#tag-filter") || $("#search");
        if (fallback) fallback.focus();
      }
    }
    focusedId = null;
    updateSelection();
  });

  /* "Clear all" also empties the search box, which lives outside the swapped results. */
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-clears-search]")) {
      var search = $("#search");
      if (search) search.value = "";
    }
  });

  /* ---- Bulk selection on the contact list. ---- */
  function bulkForm() { return $("[data-bulk]"); }

  function updateSelection() {
    var form = bulkForm();
    if (!form) return;
    var rows = $$("[data-row-select]", form);
    var checked = rows.filter(function (box) { return box.checked; });
    var pageBox = $("[data-select-page]", form);
    var scope = $("[data-scope]", form);
    var total = parseInt(form.getAttribute("data-total"), 10) || 0;
    var all = scope.value === "all";
    if (pageBox) {
      pageBox.checked = rows.length > 0 && checked.length === rows.length;
      pageBox.indeterminate = checked.length > 0 && checked.length < rows.length;
    }
    var count = all ? total : checked.length;
    var status = $("[data-selection-status]", form);
    // A bounded total ("500+ contacts match") is a lower bound: so is the count of all matching.
    var bound = all && form.hasAttribute("data-total-bound");
    var text = count + (bound ? "+" : "") + " selected" + (all ? " (all matching)" : "");
    if (status && status.textContent !== text) status.textContent = text;
    var offer = $("[data-select-all-offer]", form);
    if (offer) offer.hidden = all || !(checked.length === rows.length && rows.length > 0 && total > rows.length);
    var allNote = $("[data-all-selected]", form);
    if (allNote) allNote.hidden = !all;
    var bar = $("[data-bulkbar]", form);
    if (bar) bar.classList.toggle("is-active", count > 0);
    document.documentElement.classList.toggle("has-bulkbar", count > 0);
    var action = $("[data-bulk-action]", form);
    var tagField = $("[data-bulk-tag-field]", form);
    if (action && tagField) tagField.hidden = action.value === "delete";
  }

  document.addEventListener("change", function (event) {
    var form = bulkForm();
    if (!form || !form.contains(event.target)) return;
    var scope = $("[data-scope]", form);
    if (event.target.matches("[data-select-page]")) {
      $$("[data-row-select]", form).forEach(function (box) { box.checked = event.target.checked; });
      if (!event.target.checked) scope.value = "selected";
    } else if (event.target.matches("[data-row-select]") && !event.target.checked) {
      scope.value = "selected";
    }
    updateSelection();
  });

  document.addEventListener("click", function (event) {
    var form = bulkForm();
    if (!form) return;
    if (event.target.closest("[data-select-all]")) {
      $("[data-scope]", form).value = "all";
      $$("[data-row-select]", form).forEach(function (box) { box.checked = true; });
      updateSelection();
      var clear = $("[data-clear-selection]", form);
      if (clear) clear.focus();
    } else if (event.target.closest("[data-clear-selection]")) {
      $("[data-scope]", form).value = "selected";
      $$("[data-row-select]", form).forEach(function (box) { box.checked = false; });
      updateSelection();
      var pageBox = $("[data-select-page]", form);
      if (pageBox) pageBox.focus();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-bulk]")) {
      var scope = $("[data-scope]", form);
      var any = scope.value === "all" || $$("[data-row-select]", form).some(function (box) { return box.checked; });
      if (!any) {
        event.preventDefault();
        announce($("[data-selection-status]", form), "Select at least one contact first.");
      }
    }
    if (form.matches("[data-draft-key]")) {
      try { window.sessionStorage.removeItem(form.getAttribute("data-draft-key")); } catch (e) { /* storage off */ }
    }
  });

  /* ---- Tag input: Enter or comma makes a chip, each chip has a named remove button. ---- */
  function addTag(field, raw) {
    var name = raw.trim().toLowerCase();
    if (!name) return false;
    var list = $("[data-tag-chips]", field);
    var exists = $$("input[name=tags]", list).some(function (input) { return input.value.toLowerCase() === name; });
    var status = $("[data-tag-status]", field);
    if (exists) { announce(status, "Tag " + name + " is already there."); return true; }
    var item = document.createElement("li");
    item.className = "chip";
    item.setAttribute("data-tag", name);
    var label = document.createElement("span");
    label.textContent = name;
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "tags"; hidden.value = name;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip__remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", "Remove tag " + name);
    remove.setAttribute("data-remove-tag", "");
    item.appendChild(label); item.appendChild(hidden); item.appendChild(remove);
    list.appendChild(item);
    announce(status, "Added tag " + name + ".");
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-tag-input]")) return;
    var field = input.closest("[data-tags-field]");
    if (event.key === "Enter" || event.key === ",") {
      if (!input.value.trim()) { if (event.key === ",") event.preventDefault(); return; }
      event.preventDefault();
      input.value.split(",").forEach(function (part) { addTag(field, part); });
      input.value = "";
    } else if (event.key === "Backspace" && !input.value) {
      var chips = $$("[data-tag-chips] .chip", field);
      if (chips.length) {
        var last = chips[chips.length - 1];
        last.remove();
        announce($("[data-tag-status]", field), "Removed tag " + last.getAttribute("data-tag") + ".");
      }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-tag]");
    if (!button) return;
    var field = button.closest("[data-tags-field]");
    var chip = button.closest(".chip");
    var name = chip.getAttribute("data-tag");
    chip.remove();
    announce($("[data-tag-status]", field), "Removed tag " + name + ".");
    $("[data-tag-input]", field).focus();
  });

  /* ---- Custom field rows: add, remove, and refuse a duplicate name where it is typed. ---- */
  var rowCounter = 1000;
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var fieldset = add.closest("[data-custom-fields]");
      var template = $("[data-row-template]", fieldset);
      var html = template.innerHTML.replace(/__n__/g, String(rowCounter++));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      $("[data-kv-rows]", fieldset).appendChild(row);
      $("[data-kv-key]", row).focus();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var current = remove.closest("[data-kv-row]");
      var box = current.closest("[data-custom-fields]");
      var next = current.nextElementSibling || current.previousElementSibling;
      current.remove();
      var target = next ? $("[data-kv-key]", next) : $("[data-add-row]", box);
      if (target) target.focus();
      checkDuplicateKeys(box);
    }
  });

  function checkDuplicateKeys(fieldset) {
    var seen = {};
    $$("[data-kv-key]", fieldset).forEach(function (input) {
      var key = input.value.trim();
      var row = input.closest("[data-kv-row]");
      var remove = $("[data-remove-row]", row);
      if (remove) remove.setAttribute("aria-label", "Remove field " + key);
      var errorId = input.id + "-dup";
      var existing = document.getElementById(errorId);
      if (key && seen[key]) {
        input.setAttribute("aria-invalid", "true");
        input.setCustomValidity("“" + key + "” is already used by another field above.");
        if (!existing) {
          var note = document.createElement("p");
          note.className = "field__errors"; note.id = errorId;
          note.textContent = "“" + key + "” is already used by another field above.";
          input.insertAdjacentElement("afterend", note);
          input.setAttribute("aria-describedby", errorId);
        }
      } else {
        input.setCustomValidity("");
        if (existing) {
          existing.remove();
          input.removeAttribute("aria-invalid");
          input.removeAttribute("aria-describedby");
        }
      }
      if (key) seen[key] = true;
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-kv-key]")) {
      checkDuplicateKeys(event.target.closest("[data-custom-fields]"));
    }
    var form = event.target.form;
    if (form && form.matches("[data-draft-key]") && event.target.name === "body") {
      try { window.sessionStorage.setItem(form.getAttribute("data-draft-key"), event.target.value); } catch (e) { /* storage off */ }
    }
  });

  /* ---- Copy a new API key. ---- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = $(button.getAttribute("data-copy"));
    var status = $("[data-copy-status]");
    var done = function () { announce(status, "Copied to the clipboard."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { source.select(); });
    } else {
      source.select();
      try { if (document.execCommand("copy")) done(); } catch (e) { announce(status, "Select the key and copy it."); }
    }
  });

  /* ---- Times: relative ("3 hours ago"), the exact time in the viewer's zone on hover. ---- */
  var RELATIVE_UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  function relativeTimes(root) {
    if (!window.Intl || !Intl.RelativeTimeFormat) return;
    var format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    var exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    $$("time[data-relative]", root).forEach(function (time) {
      var moment = new Date(time.getAttribute("datetime"));
      if (isNaN(moment)) return;
      var seconds = (moment.getTime() - Date.now()) / 1000;
      var text = "just now";
      for (var i = 0; i < RELATIVE_UNITS.length; i++) {
        if (Math.abs(seconds) >= RELATIVE_UNITS[i][1]) {
          text = format.format(Math.round(seconds / RELATIVE_UNITS[i][1]), RELATIVE_UNITS[i][0]);
          break;
        }
      }
      time.textContent = text;
      time.title = exact.format(moment);
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { relativeTimes(event.detail.target); });

  /* ---- Whole rows open their contact (or conversation); links and checkboxes keep their own click. ---- */
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (!row || event.target.closest("a, button, input, select, label, textarea")) return;
    if (window.getSelection && String(window.getSelection())) return; // selecting text is not opening
    window.location.href = row.getAttribute("data-href");
  });

  /* ---- Keyboard shortcuts: j/k move, Enter opens, e edits, ? lists them; never while typing. ---- */
  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable], dialog");
  }
  function rows() { return $$("tr[data-row]"); }
  function currentRow() { return $("tr[data-row].is-current"); }
  function moveTo(row) {
    var current = currentRow();
    if (current) current.classList.remove("is-current");
    if (!row) return;
    row.classList.add("is-current");
    var link = $("[data-row-link]", row);
    if (link) link.focus();
  }
  function openShortcuts() {
    var dialog = $("#shortcuts");
    if (dialog && dialog.showModal && !dialog.open) dialog.showModal();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var all = rows();
    var current = currentRow();
    var index = current ? all.indexOf(current) : -1;
    if (event.key === "?") {
      event.preventDefault();
      openShortcuts();
    } else if ((event.key === "j" || event.key === "k") && all.length) {
      event.preventDefault();
      var next = event.key === "j" ? Math.min(index + 1, all.length - 1) : Math.max(index - 1, 0);
      moveTo(all[next]);
    } else if (event.key === "Enter" && current && event.target === document.body) {
      window.location.href = current.getAttribute("data-href");
    } else if (event.key === "e" && current && current.hasAttribute("data-edit-href")) {
      event.preventDefault();
      window.location.href = current.getAttribute("data-edit-href");
    }
  });
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (row && row !== currentRow()) {
      var current = currentRow();
      if (current) current.classList.remove("is-current");
      row.classList.add("is-current");
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) openShortcuts();
  });

  /* ---- Buttons that destroy something ask first. ---- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });

  /* ---- On load. ---- */
  function onLoad() {
    relativeTimes(document);
    // A page answered to a POST (a new webhook secret) names its own address, so that reloading it
    // shows the page again instead of re-sending the form (a second endpoint, a second rotation).
    var canonical = $("[data-replace-url]");
    if (canonical && window.history.replaceState) {
      window.history.replaceState(null, "", canonical.getAttribute("data-replace-url"));
    }
    // A form that came back with errors: focus the first field in error.
    var invalid = $("main [aria-invalid=true]");
    var focusTarget = invalid || $("[data-focus-on-load]");
    if (focusTarget) {
      if (!invalid && !focusTarget.hasAttribute("tabindex")) focusTarget.setAttribute("tabindex", "-1");
      focusTarget.focus();
    }
    // Flash messages are in the page already; say them again so screen readers announce them.
    $$("[data-announce]").forEach(function (item) {
      var text = item.textContent;
      item.textContent = "";
      window.setTimeout(function () { item.textContent = text; }, 100);
    });
    // A reply draft stays with its conversation while the tab is open.
    $$("form[data-draft-key]").forEach(function (form) {
      var box = form.elements.body;
      try {
        var saved = window.sessionStorage.getItem(form.getAttribute("data-draft-key"));
        if (box && !box.value && saved) {
          box.value = saved;
          var status = $("[data-draft-status]", form);
          if (status) status.textContent = "Draft restored.";
        }
      } catch (e) { /* storage off */ }
    });
    updateSelection();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();
})();
