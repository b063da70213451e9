// Assay lab: progressive enhancement only. Reading works without this script; it adds the
// delivery upload with a progress bar (a streamed PUT of the raw file, as the API takes it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = form.querySelector("input[type=file]").files[0];
      if (!file) return;
      const bar = form.querySelector("progress");
      const out = form.querySelector("output");
      const token = form.querySelector("input[name=__RequestVerificationToken]").value;
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", form.dataset.upload);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("Content-Disposition", "attachment; filename*=UTF-8''" + encodeURIComponent(file.name));
      xhr.setRequestHeader("RequestVerificationToken", token);
      bar.hidden = false;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          bar.value = Math.round((100 * e.loaded) / e.total);
          out.textContent = `${bar.value}% of ${(e.total / 1048576).toFixed(1)} MiB`;
        }
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          const body = JSON.parse(xhr.responseText);
          out.textContent = `Uploaded: SHA-256 ${body.sha256}`;
          window.location.reload();
        } else {
          let detail = xhr.statusText;
          try { detail = JSON.parse(xhr.responseText).detail || detail; } catch { /* not JSON */ }
          out.textContent = `Upload failed (${xhr.status}): ${detail}`;
        }
      };
      xhr.onerror = () => { out.textContent = "Upload failed: the connection was lost; try again."; };
      xhr.send(file);
    });
  }
});
