/* The pages work without this script (plain forms); it adds sorting, drag-and-drop,
   per-file upload progress with the table updated in place, and job progress. Text from
   the server is always put in with textContent, never as HTML. */
(function () {
  "use strict";

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* --- sortable tables: click a header; numbers by value, text in Chinese order --- */
  function initSort(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var descending = th.getAttribute("aria-sort") === "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        sortRows(table, index, th.dataset.type === "number", descending);
      });
    });
  }

  function sortRows(table, index, numeric, descending) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.value || "", y = b.cells[index].dataset.value || "";
      var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-CN");
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  /* --- drop zone: dropped files go into the file input; the chosen names are shown --- */
  function initDrop(zone, input, onFiles) {
    var chosen = zone.querySelector("#chosen");
    function showChosen() {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      chosen.textContent = names.length ? "已选择 " + names.length + " 个文件：" + names.join("、") : "";
    }
    input.addEventListener("change", showChosen);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      showChosen();
      onFiles();
    });
  }

  /* --- district: each file through the API, one after another, then the table afresh --- */
  function initDistrictUpload(form) {
    var input = form.querySelector("#file-input");
    var bar = form.querySelector("#upload-progress");
    var step = form.querySelector("#upload-step");
    var list = document.getElementById("upload-live");
    var button = form.querySelector("#upload-button");

    function showResult(r) {
      var item = el("li", "result dec-" + r.decision);
      item.appendChild(el("span", "rname", r.file));
      if (r.unit && r.decision !== "wrong_unit") item.appendChild(el("span", "runit", r.unit));
      item.appendChild(el("span", "rlabel", r.label));
      if (r.errors || r.warnings) item.appendChild(el("span", "rcount", "错误 " + r.errors + " 个，提示 " + r.warnings + " 个"));
      if (r.late) item.appendChild(el("span", "badge st-late", "逾期"));
      list.appendChild(item);
    }

    function uploadOne(file) {
      var data = new FormData();
      data.append("file", file, file.name);
      return fetch(form.dataset.api, { method: "POST", body: data, credentials: "same-origin",
                                       headers: { "X-CSRF-Token": csrf() } })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || ("服务器返回 " + response.status));
            return body.results;
          });
        })
        .then(function (results) { results.forEach(showResult); })
        .catch(function (error) {
          showResult({ file: file.name, decision: "refused", label: "上传失败：" + error.message, errors: 0, warnings: 0 });
        });
    }

    function refreshTable() {
      var area = document.getElementById("status-area");
      return fetch(area.dataset.refresh, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var holder = new DOMParser().parseFromString(html, "text/html");
          area.replaceChildren.apply(area, Array.prototype.slice.call(holder.body.childNodes));
          area.querySelectorAll("table.sortable").forEach(initSort);
        });
    }

    function run() {
      var files = Array.prototype.slice.call(input.files);
      if (!files.length) { step.textContent = "请先选择文件。"; return; }
      button.disabled = true;
      list.replaceChildren();
      bar.hidden = false; bar.max = files.length; bar.value = 0;
      var chain = Promise.resolve();
      files.forEach(function (file, i) {
        chain = chain.then(function () {
          step.textContent = "正在上传并校验 " + (i + 1) + "/" + files.length + "：" + file.name;
          return uploadOne(file);
        }).then(function () { bar.value = i + 1; });
      });
      chain.then(refreshTable).then(function () {
        step.textContent = "已处理 " + files.length + " 个文件，报送情况已更新。";
      }).catch(function (error) {
        step.textContent = "出错：" + error.message;
      }).then(function () {
        button.disabled = false;
        input.value = "";
        input.dispatchEvent(new Event("change"));
      });
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    initDrop(form.querySelector("#drop-zone"), input, run);
  }

  /* --- township: dropping a file submits the plain form; the page shows the findings --- */
  function initTownshipUpload(form) {
    var input = form.querySelector("#file-input");
    var step = form.querySelector("#upload-step");
    form.addEventListener("submit", function () { step.textContent = "正在上传并校验，请稍候……"; });
    initDrop(form.querySelector("#drop-zone"), input, function () { form.requestSubmit(); });
  }

  /* --- a job's progress, polled until it ends --- */
  function initJob(box) {
    var bar = box.querySelector("#job-progress");
    var step = box.querySelector("#job-step");
    var error = box.querySelector("#job-error");
    var notes = box.querySelector("#job-notes");
    var link = box.querySelector("#job-download");
    function poll() {
      fetch(box.dataset.poll, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.total) { bar.max = job.total; bar.value = job.done; }
          step.textContent = job.step + "（已用 " + job.seconds + " 秒）";
          notes.replaceChildren.apply(notes, job.notes.map(function (n) { return el("li", "", n); }));
          box.dataset.state = job.state;
          if (job.state === "failed") { error.hidden = false; error.textContent = job.error; }
          if (job.download) {
            link.href = box.dataset.download + encodeURIComponent(job.download);
            link.textContent = "下载 " + job.download;
            link.hidden = false;
          }
          if (job.state === "running") setTimeout(poll, 400);
        })
        .catch(function () { setTimeout(poll, 1500); });
    }
    if (box.dataset.state === "running") poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(initSort);
    var district = document.getElementById("upload-form");
    if (district) initDistrictUpload(district);
    var township = document.getElementById("township-form");
    if (township) initTownshipUpload(township);
    var job = document.getElementById("job");
    if (job) initJob(job);
  });
})();
