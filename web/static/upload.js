// upload.js — progressive enhancement for the public copy check: reads a
// chosen text file into the textarea. Without JavaScript, pasting works.
'use strict';
document.querySelectorAll('input[type=file][data-fills]').forEach(function (input) {
  var target = document.getElementById(input.getAttribute('data-fills'));
  var row = input.closest('.js-only');
  if (row) row.classList.add('js-on');
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file || !target) return;
    if (file.size > 400000) { alert('That file is larger than a memo can be (400 KB).'); return; }
    file.text().then(function (text) { target.value = text; target.focus(); });
  });
});
