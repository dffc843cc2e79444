// The pages work without this file; it adds the CSRF header to htmx requests, copy buttons and the chart.
(function () {
  "use strict";

  var header = document.querySelector('meta[name="csrf-header"]');
  var token = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (header && token) {
      event.detail.headers[header.content] = token.content;
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else {
      field.select();
      done();
    }
  });

  function drawChart() {
    var box = document.getElementById("chart");
    if (!box || !window.uPlot) {
      return;
    }
    var series = JSON.parse(box.getAttribute("data-series"));
    var times = series.dates.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; });
    var width = Math.max(260, box.clientWidth);
    new window.uPlot({
      width: width,
      height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: "clicks" }],
      series: [{}, { label: "Clicks", stroke: "#0a58ca", fill: "rgba(10,88,202,0.12)", width: 2 }],
      legend: { show: false }
    }, [times, series.clicks], box);
  }

  // Live progress of unfinished import jobs, from their Server-Sent Events stream.
  function followImports() {
    document.querySelectorAll("[data-job-events]").forEach(function (row) {
      var stream = new EventSource(row.getAttribute("data-job-events"));
      var show = function (event) {
        var job = JSON.parse(event.data);
        var field = function (name) { return row.querySelector('[data-field="' + name + '"]'); };
        field("state").textContent = job.state;
        field("progress").max = Math.max(job.rows_total, 1);
        field("progress").value = job.rows_processed;
        field("processed").textContent = job.rows_processed + " / " + job.rows_total;
        field("imported").textContent = job.rows_imported;
        field("failed").textContent = job.rows_failed;
      };
      stream.addEventListener("progress", show);
      ["completed", "failed"].forEach(function (end) {
        stream.addEventListener(end, function (event) {
          show(event);
          stream.close();
        });
      });
    });
  }

  // Passkeys: two JSON requests around the browser's WebAuthn call, each with the form's CSRF token.
  function passkeys() {
    var supported = window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON
      && window.isSecureContext;
    var post = function (form, path, body) {
      var headers = { "Content-Type": "application/json", "Accept": "application/json" };
      headers[form.getAttribute("data-csrf-header")] = form.getAttribute("data-csrf-token");
      return fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body || {}), credentials: "same-origin" })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
          if (!json) {
            // a refusal of the security rules is a page: most often an expired form
            throw new Error(response.status === 403
              ? "This page has expired. Reload it and try again." : "Something went wrong. Try again.");
          }
          return response.json().then(function (answer) {
            if (!response.ok) {
              throw new Error(answer.detail || "The passkey was not accepted.");
            }
            return answer;
          });
        });
    };
    var fail = function (form, error) {
      var box = form.querySelector("#passkey-error");
      box.textContent = error.name === "NotAllowedError" ? "No passkey was chosen." : error.message;
      box.hidden = false;
    };
    var ceremony = function (form, attribute, run) {
      if (!form) {
        return;
      }
      if (!supported) {
        var note = form.querySelector("#passkey-unsupported");
        if (note) {
          note.hidden = false;
          form.querySelector("button").disabled = true;
        }
        return;
      }
      form.hidden = false;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var path = form.getAttribute(attribute);
        run(form, path).then(function (answer) {
          window.location.assign(answer.redirect);
        }, function (error) {
          fail(form, error);
        });
      });
    };
    ceremony(document.querySelector("[data-passkey-register]"), "data-passkey-register", function (form, path) {
      return post(form, path + "/options", { password: form.querySelector("#passkey-password").value }).then(function (options) {
        return navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
      }).then(function (credential) {
        return post(form, path, { label: form.querySelector("#passkey-label").value, credential: credential.toJSON() });
      });
    });
    ceremony(document.querySelector("[data-passkey-sign-in]"), "data-passkey-sign-in", function (form, path) {
      return post(form, path + "/options").then(function (options) {
        return navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
      }).then(function (credential) {
        return post(form, path, { next: form.getAttribute("data-next"), credential: credential.toJSON() });
      });
    });
  }

  function start() {
    drawChart();
    followImports();
    passkeys();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
