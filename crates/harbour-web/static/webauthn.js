// Harbour: security keys (WebAuthn) in the browser. Served from Harbour's own origin (the CSP
// allows no other script and no inline script). Forms marked data-webauthn="create" or "get"
// carry the server's options in data-options (binary values in base64url); this script asks
// the authenticator, writes its answer into the form's hidden fields in base64url and submits
// the form. The server verifies everything. Without this script the forms stay hidden and the
// pages say a security key needs JavaScript; TOTP codes work as before.
(function () {
  "use strict";

  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      bytes[i] = bin.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function publicKey(form) {
    var pk = JSON.parse(form.getAttribute("data-options")).publicKey;
    pk.challenge = toBuffer(pk.challenge);
    if (pk.user) {
      pk.user.id = toBuffer(pk.user.id);
    }
    [pk.excludeCredentials, pk.allowCredentials].forEach(function (list) {
      (list || []).forEach(function (c) {
        c.id = toBuffer(c.id);
      });
    });
    return pk;
  }

  function set(form, name, value) {
    form.querySelector('input[name="' + name + '"]').value = value;
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  Array.prototype.forEach.call(document.querySelectorAll("form[data-webauthn]"), function (form) {
    var status = form.querySelector("[data-webauthn-status]");
    form.hidden = false;
    if (!supported) {
      status.textContent = form.getAttribute("data-unsupported");
      form.querySelector("button").disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      status.textContent = "";
      var create = form.getAttribute("data-webauthn") === "create";
      var asked = create
        ? navigator.credentials.create({ publicKey: publicKey(form) })
        : navigator.credentials.get({ publicKey: publicKey(form) });
      asked
        .then(function (credential) {
          var r = credential.response;
          set(form, "client_data_json", toBase64url(r.clientDataJSON));
          if (create) {
            set(form, "attestation_object", toBase64url(r.attestationObject));
          } else {
            set(form, "credential_id", toBase64url(credential.rawId));
            set(form, "authenticator_data", toBase64url(r.authenticatorData));
            set(form, "signature", toBase64url(r.signature));
          }
          form.submit();
        })
        .catch(function () {
          status.textContent = form.getAttribute("data-failed");
        });
    });
  });
})();
