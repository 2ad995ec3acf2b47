/* Confirmation before money moves (skod/web/confirm.py). A form marked data-confirm is first
   posted without confirm=1: the server answers with its confirmation page (the amount, what
   happens next), whose #confirm-box is shown here in a modal <dialog>. Confirm re-submits the
   form with confirm=1; Back or Escape closes the dialog and gives the focus back to the button.
   Without this script (or when anything here fails) the form is posted as is and the server
   shows the same confirmation as a page: money never moves on one click. */
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-confirm]');
  if (!forms.length || typeof HTMLDialogElement !== 'function' || !window.fetch) { return; }
  var dialog = document.createElement('dialog');
  dialog.className = 'confirm-dialog';
  dialog.id = 'confirm-dialog';
  dialog.setAttribute('aria-labelledby', 'confirm-dialog-title');
  dialog.setAttribute('aria-describedby', 'confirm-dialog-text');
  dialog.innerHTML = '<h2 id="confirm-dialog-title"></h2><div id="confirm-dialog-text"></div>' +
    '<div class="confirm-actions"><button type="button" class="button wide" id="confirm-dialog-go">' +
    '</button><button type="button" class="button secondary wide" id="confirm-dialog-back">' +
    '</button></div>';
  document.body.appendChild(dialog);
  var title = dialog.querySelector('h2'), text = dialog.querySelector('#confirm-dialog-text');
  var go = dialog.querySelector('#confirm-dialog-go'), back = dialog.querySelector('#confirm-dialog-back');
  var form = null, opener = null, sending = false;

  function plain(target) {  // the server confirms on its page (or says what is wrong)
    target.dataset.confirmPlain = '1';
    target.submit();
  }

  function fill(box) {  // text only: nothing from the response runs or keeps its markup
    title.textContent = box.querySelector('h1').textContent;
    text.textContent = '';
    box.querySelectorAll('#confirm-text p').forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line.textContent;
      p.className = line.className;
      text.appendChild(p);
    });
    var goSource = box.querySelector('#confirm-go');
    go.textContent = goSource.textContent;
    go.className = goSource.className;
    back.textContent = box.querySelector('#confirm-back').textContent;
  }

  function ask(event) {
    var target = event.currentTarget;
    if (target.dataset.confirmPlain === '1') { return; }
    event.preventDefault();
    if (form) { return; }  // one question at a time
    form = target;
    opener = event.submitter || target.querySelector('[type=submit]');
    var data = new FormData(target);
    data.delete('confirm');
    // the header asks for the confirmation only: with nothing to confirm the server answers
    // 204 without acting, and the form is then posted as is (once)
    fetch(target.action, {method: 'POST', body: data, credentials: 'same-origin', redirect: 'manual',
                          headers: {'X-Skod-Confirm': 'ask'}})
      .then(function (answer) {
        if (!answer.ok) { throw new Error('no confirmation'); }
        return answer.text();
      })
      .then(function (html) {
        var box = new DOMParser().parseFromString(html, 'text/html').getElementById('confirm-box');
        if (!box) { throw new Error('no confirmation'); }
        fill(box);
        dialog.showModal();
        back.focus();  // the safe choice under the focus: Enter alone never charges
      })
      .catch(function () { var f = form; form = null; plain(f); });
  }

  go.addEventListener('click', function () {
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'confirm';
    input.value = '1';
    form.appendChild(input);
    sending = true;
    go.disabled = true;
    back.disabled = true;
    plain(form);
  });
  back.addEventListener('click', function () { dialog.close(); });
  dialog.addEventListener('close', function () {  // Back, or Escape
    if (sending) { return; }
    form = null;
    if (opener) { opener.focus(); }
  });
  forms.forEach(function (each) { each.addEventListener('submit', ask); });
}());
