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

  function start() {
    drawChart();
    followImports();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
