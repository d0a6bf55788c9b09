// Passkeys (WebAuthn) for Shepherd's sign-in and account pages. No dependencies, no inline script (CSP).
// A form with data-passkey="get" (sign in) or "create" (add a passkey) and data-passkey-options (where to POST for the
// options) holds a button with data-passkey-start, a hidden CredentialJson field and an error paragraph (role=alert).
// The button fetches the options, runs the browser's ceremony, puts the credential JSON into the field and submits the
// form; the server checks everything.
(function () {
  'use strict';

  var supported = typeof window.PublicKeyCredential === 'function' &&
    !!navigator.credentials && typeof navigator.credentials.create === 'function' && typeof navigator.credentials.get === 'function';

  function fromBase64Url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) { base64 += '='; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function descriptors(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: fromBase64Url(c.id) }); });
  }

  function creationOptions(json) {
    if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function') {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: fromBase64Url(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64Url(json.user.id) }),
      excludeCredentials: descriptors(json.excludeCredentials)
    });
  }

  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function') {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: fromBase64Url(json.challenge),
      allowCredentials: descriptors(json.allowCredentials)
    });
  }

  function credentialJson(credential) {
    if (typeof credential.toJSON === 'function') {
      try { return credential.toJSON(); } catch (e) { /* fall back below */ }
    }
    var r = credential.response;
    var response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64Url(r.attestationObject);
      response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
    }
    if (r.authenticatorData) { response.authenticatorData = toBase64Url(r.authenticatorData); }
    if (r.signature) { response.signature = toBase64Url(r.signature); }
    if (r.userHandle) { response.userHandle = toBase64Url(r.userHandle); }
    return {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: typeof credential.getClientExtensionResults === 'function' ? credential.getClientExtensionResults() : {},
      response: response
    };
  }

  function show(error, message) {
    if (!error) { window.alert(message); return; }
    error.textContent = message;
    error.className = 'error';
    error.hidden = false;
  }

  function setUp(form) {
    var button = form.querySelector('[data-passkey-start]');
    var error = form.querySelector('[role=alert]');
    var field = form.querySelector('input[name=CredentialJson]');
    var creating = form.getAttribute('data-passkey') === 'create';
    if (!button || !field) { return; }

    button.addEventListener('click', function (event) {
      event.preventDefault();
      if (!supported) {
        show(error, 'This browser cannot use passkeys. Use a current browser, or sign in with your password.');
        return;
      }
      if (creating && typeof form.reportValidity === 'function' && !form.reportValidity()) { return; }
      var token = form.querySelector('input[name=__RequestVerificationToken]');
      var body = new FormData();
      if (token) { body.append('__RequestVerificationToken', token.value); }
      button.disabled = true;
      fetch(form.getAttribute('data-passkey-options'), { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (answer) {
          if (!answer.ok) { throw new Error('The server could not start the passkey ceremony (' + answer.status + '). Reload the page and try again.'); }
          return answer.json();
        })
        .then(function (options) {
          return creating
            ? navigator.credentials.create({ publicKey: creationOptions(options) })
            : navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          if (!credential) { throw new Error('No passkey was chosen.'); }
          field.value = JSON.stringify(credentialJson(credential));
          form.submit();
        })
        .catch(function (e) {
          button.disabled = false;
          show(error, e && e.name === 'NotAllowedError'
            ? 'The passkey request was cancelled or timed out. Press the button to try again.'
            : (e && e.name === 'InvalidStateError'
              ? 'This device already holds a passkey for your account.'
              : (e && e.message) || 'The passkey did not work.'));
        });
    });
  }

  var forms = document.querySelectorAll('form[data-passkey]');
  for (var i = 0; i < forms.length; i++) { setUp(forms[i]); }
})();
