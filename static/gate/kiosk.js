/* The gate kiosk: reads a code (USB scanner typing + Enter, the camera, or the manual path),
 * sends it to POST /api/v1/gate/check, shows the answer big, green or red, with its reasons,
 * and plays a tone. Deciding is the server's: this file only collects and shows.
 * During a network drop a check is queued in localStorage with its original time and replayed
 * when the network is back. */
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) return;
  var CHECK_URL = root.dataset.checkUrl;
  var LOOKUP_URL = root.dataset.lookupUrl;
  var GATE = parseInt(root.dataset.gate, 10);
  var CSRF = root.dataset.csrf;
  var QUEUE_KEY = "parkguard.gate.queue." + GATE;
  var WASM_URL = root.dataset.wasmUrl;
  var ZXING_URL = root.dataset.zxingUrl;
  var RETRY_MS = 5000;
  var SCAN_MS = 250;
  var SAME_CODE_MS = 3000;

  var answer = document.getElementById("answer");
  var word = answer.querySelector(".answer-word");
  var nameEl = answer.querySelector(".answer-name");
  var reasonsEl = answer.querySelector(".answer-reasons");
  var net = document.getElementById("net");
  var scan = document.getElementById("scan");
  var temperature = document.getElementById("temperature");

  function checked(name) {
    var el = root.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : null;
  }
  function steps() {
    return Array.prototype.map.call(
      root.querySelectorAll('input[name="steps"]:checked'), function (el) { return el.value; });
  }

  /* Tones: a rising pair for yes, a low buzz for no (WebAudio, no files). */
  var audio = null;
  function tone(yes) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var notes = yes ? [880, 1320] : [220, 180];
      notes.forEach(function (freq, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = yes ? "sine" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        var start = audio.currentTime + i * 0.18;
        osc.start(start);
        osc.stop(start + 0.16);
      });
    } catch (e) { /* no audio: the colour still says it */ }
  }

  function citationText(c) {
    if (!c) return "";
    return "依据：" + (c.document_number || "") + " " + (c.clause || "");
  }

  function show(result) {
    answer.className = "answer " + (result.allowed ? "yes" : "no");
    answer.dataset.result = result.allowed ? "allowed" : "refused";
    word.textContent = result.allowed ? "放行" : "禁止通行";
    nameEl.textContent = result.name || "";
    reasonsEl.innerHTML = "";
    (result.reasons || []).forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.text;
      var cite = citationText(r.citation);
      if (cite) {
        var small = document.createElement("small");
        small.textContent = cite;
        li.appendChild(small);
      }
      reasonsEl.appendChild(li);
    });
    tone(result.allowed);
  }

  function showQueued() {
    answer.className = "answer queued";
    answer.dataset.result = "queued";
    word.textContent = "已暂存，待网络恢复后判定";
    nameEl.textContent = "";
    reasonsEl.innerHTML = "";
  }

  function showError(text) {
    answer.className = "answer no";
    answer.dataset.result = "error";
    word.textContent = text;
    nameEl.textContent = "";
    reasonsEl.innerHTML = "";
    tone(false);
  }

  function queue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(items) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
    var n = items.length;
    net.textContent = n ? "网络中断：已暂存 " + n + " 条，恢复后自动补传" : "";
    net.className = n ? "net down" : "net";
  }

  function post(body) {
    return fetch(CHECK_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify(body),
    });
  }

  function send(body) {
    return post(body).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok) { show(data); return; }
        var detail = data.detail;
        if (Array.isArray(detail)) detail = detail.map(function (d) { return d.msg; }).join("；");
        showError(detail || "查验失败");
      });
    }, function () {
      // The network is down: keep the check with the time it was made.
      var items = queue();
      items.push(body);
      saveQueue(items);
      showQueued();
    });
  }

  var replaying = false;
  function replay() {
    var items = queue();
    if (!items.length || replaying) return;
    replaying = true;
    var body = items[0];
    post(body).then(function (response) {
      replaying = false;
      var rest = queue().slice(1);
      saveQueue(rest);
      if (response.ok) response.json().then(function (d) { if (!d.allowed) show(d); });
      replay();
    }, function () { replaying = false; });
  }
  window.addEventListener("online", replay);
  setInterval(replay, RETRY_MS);
  saveQueue(queue());

  function check(extra) {
    var body = {
      gate_id: GATE,
      direction: checked("direction") || "in",
      code_colour: checked("code_colour"),
      steps: steps(),
      temperature: temperature.value.trim() || null,
      checked_at: new Date().toISOString(),
    };
    Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
    word.textContent = "查验中…";
    return send(body);
  }

  /* A USB scanner types the code and presses Enter. */
  scan.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var code = scan.value.trim();
    scan.value = "";
    if (code) check({ code: code });
  });
  // Keep the scanner's field focused between checks (but not while typing elsewhere).
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, button, label, form, a")) scan.focus();
  });

  /* The camera: BarcodeDetector where the browser has it, else zxing-wasm (served here). */
  var video = document.getElementById("video");
  var lastCode = "";
  var lastAt = 0;
  function onCode(code) {
    var now = Date.now();
    if (code === lastCode && now - lastAt < SAME_CODE_MS) return;
    lastCode = code;
    lastAt = now;
    check({ code: code });
  }
  function loadZxing() {
    if (window.ZXingWASM) return Promise.resolve(window.ZXingWASM);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = ZXING_URL;
      s.onload = function () {
        window.ZXingWASM.prepareZXingModule({
          overrides: {
            locateFile: function (path, prefix) {
              return path.endsWith(".wasm") ? WASM_URL : prefix + path;
            },
          },
        });
        resolve(window.ZXingWASM);
      };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function detector() {
    if ("BarcodeDetector" in window) {
      var native = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function (source) {
        return native.detect(source).then(function (found) {
          return found.length ? found[0].rawValue : null;
        });
      });
    }
    return loadZxing().then(function (zx) {
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      return function (source) {
        canvas.width = source.videoWidth;
        canvas.height = source.videoHeight;
        if (!canvas.width) return Promise.resolve(null);
        ctx.drawImage(source, 0, 0);
        var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        return zx.readBarcodes(image, { formats: ["QRCode"], maxNumberOfSymbols: 1 })
          .then(function (found) { return found.length ? found[0].text : null; });
      };
    });
  }
  document.getElementById("camera").addEventListener("click", function () {
    if (!navigator.mediaDevices) { showError("此设备不支持摄像头，请用扫码枪或人工核验"); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play().then(detector);
      })
      .then(function (detect) {
        root.dataset.camera = "on";
        function tick() {
          detect(video).then(function (code) { if (code) onCode(code); }, function () {})
            .then(function () { setTimeout(tick, SCAN_MS); });
        }
        tick();
      })
      .catch(function () { showError("无法打开摄像头，请用扫码枪或人工核验"); });
  });

  /* The manual path: name + last digits of the ID; the guard confirms the person. */
  var manual = document.getElementById("manual");
  document.getElementById("manual-open").addEventListener("click", function () {
    manual.hidden = !manual.hidden;
  });
  manual.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams({
      name: document.getElementById("manual-name").value,
      tail: document.getElementById("manual-tail").value,
    });
    fetch(LOOKUP_URL + "?" + params, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var list = document.getElementById("candidates");
        list.innerHTML = "";
        if (!data.candidates.length) {
          list.innerHTML = "<li>未找到，请核对姓名和证件号后四位</li>";
          return;
        }
        data.candidates.forEach(function (c) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "确认是本人：" + c.name + " " + c.id_masked + " " + c.unit;
          button.addEventListener("click", function () {
            check({ person_id: c.id });
            list.innerHTML = "";
            manual.reset();
            manual.hidden = true;
          });
          li.appendChild(button);
          list.appendChild(li);
        });
      });
  });

  document.getElementById("fullscreen").addEventListener("click", function () {
    if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });
})();
