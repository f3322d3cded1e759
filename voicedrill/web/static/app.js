// voicedrill serve: small behaviours (no framework, nothing from the internet).
(function () {
  "use strict";
  function audioOf(el) { return document.getElementById(el.getAttribute("data-audio")); }
  // Cue buttons: jump to the cue's evidence in the reply and play it.
  document.querySelectorAll("button.cue[data-audio]").forEach(function (b) {
    b.addEventListener("click", function () {
      var a = audioOf(b); if (!a) return;
      a.currentTime = parseFloat(b.getAttribute("data-start")) || 0;
      var end = parseFloat(b.getAttribute("data-end"));
      a.play();
      if (end > 0) {
        var stop = function () { if (a.currentTime >= end) { a.pause(); a.removeEventListener("timeupdate", stop); } };
        a.addEventListener("timeupdate", stop);
      }
      document.body.setAttribute("data-last-seek", String(a.currentTime));
    });
  });
  // Waveforms: click to seek; a head follows playback.
  document.querySelectorAll("svg.wave[data-audio]").forEach(function (svg) {
    var a = audioOf(svg); if (!a) return;
    var dur = parseFloat(svg.getAttribute("data-seconds")) || 1;
    var head = svg.querySelector(".head");
    svg.addEventListener("click", function (e) {
      var r = svg.getBoundingClientRect();
      a.currentTime = Math.max(0, Math.min(dur, (e.clientX - r.left) / r.width * dur));
      a.play();
    });
    a.addEventListener("timeupdate", function () {
      if (head) { var x = (a.currentTime / dur) * 1000; head.setAttribute("x1", x); head.setAttribute("x2", x); }
    });
  });
  // Play every reply in turn (group critique).
  var all = document.getElementById("play-all");
  if (all) all.addEventListener("click", function () {
    var list = Array.prototype.slice.call(document.querySelectorAll(".cards audio.reply"));
    var i = 0;
    function next() {
      document.querySelectorAll(".card.playing").forEach(function (c) { c.classList.remove("playing"); });
      if (i >= list.length) { document.body.setAttribute("data-played", String(list.length)); return; }
      var a = list[i++]; var card = a.closest(".card"); if (card) card.classList.add("playing");
      a.currentTime = 0; a.addEventListener("ended", next, { once: true });
      a.play().catch(next);
      document.body.setAttribute("data-playing", String(i));
    }
    next();
  });
  var pr = document.getElementById("print");
  if (pr) pr.addEventListener("click", function () { window.print(); });
  // Job progress: poll until done, then reload for the result.
  var job = document.querySelector("[data-job]");
  if (job) {
    var url = job.getAttribute("data-job");
    var tick = function () {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
        var bar = document.querySelector(".progress > div");
        if (bar) bar.style.width = (j.total ? (100 * j.done / j.total) : 0) + "%";
        var t = document.getElementById("job-text"); if (t) t.textContent = j.done + " / " + j.total;
        if (j.state === "running" || j.state === "queued") setTimeout(tick, 700); else location.reload();
      });
    };
    setTimeout(tick, 500);
  }
  // Sortable tables without a reload for small tables is not needed: headers are links.
})();
