// Security keys and passkeys (WebAuthn): the browser's side of the ceremonies.
//
// Each element with data-webauthn ("register", "login" or "passkey") holds a start
// button, the URLs of its two JSON endpoints (data-options, data-finish), the CSRF token
// (data-csrf, sent as the X-CSRF-Token header) and a live region for what happened.
// The server's options are the W3C JSON; binary fields travel as base64url both ways.
(function () {
  "use strict";

  var TEXT = {
    NotAllowedError: "Het gebruik van de sleutel is geannuleerd, niet toegestaan of duurde te lang. Probeer het opnieuw, of kies een andere manier.",
    InvalidStateError: "Deze sleutel is al geregistreerd bij je account. Gebruik een andere sleutel of passkey.",
    SecurityError: "Beveiligingssleutels en passkeys werken alleen via https of op localhost. Open het portaal via dat adres, of kies een andere manier.",
    AbortError: "Het gebruik van de sleutel is afgebroken. Probeer het opnieuw.",
    NotSupportedError: "Deze sleutel of browser ondersteunt deze manier van inloggen niet. Kies een andere manier.",
    ConstraintError: "Deze sleutel kan niet bevestigen dat jij het bent (met een pincode, vingerafdruk of gezicht). Gebruik een andere sleutel of passkey.",
    // A passkey alone must also show that it is you: a key without a PIN or fingerprint
    // is refused by the browser before anything reaches the portal.
    passkeyNotAllowed: "Inloggen met een passkey is geannuleerd, niet toegestaan of duurde te lang. Een passkey moet bevestigen dat jij het bent, met een pincode, vingerafdruk of je gezicht. Probeer het opnieuw, of log in met je inlognaam en wachtwoord.",
    timeout: "Dat duurde te lang (time-out). Probeer het opnieuw.",
    unsupported: "Deze browser ondersteunt geen beveiligingssleutels of passkeys. Kies een andere manier.",
    network: "Het portaal is niet bereikbaar. Controleer je verbinding en probeer het opnieuw.",
    name: "Vul een naam in voor de sleutel, bijvoorbeeld \"YubiKey 5\" of \"Laptop\".",
    other: "De sleutel kon niet worden gebruikt. Probeer het opnieuw, of kies een andere manier.",
    busy: "Volg de aanwijzingen van je browser of sleutel.",
    registered: "De sleutel is gekoppeld.",
    signedIn: "Gelukt. Je wordt ingelogd."
  };
  // The SDK's challenges last 5 minutes; the browser is stopped a little before.
  var DEFAULT_TIMEOUT = 5 * 60 * 1000;

  // base64url <-> ArrayBuffer --------------------------------------------------------

  function toBuffer(text) {
    var base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = toBuffer(item.id);
      return copy;
    });
  }

  // Options in, credential out ----------------------------------------------------------

  function creationOptions(json) {
    var parse = window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON;
    if (parse) {
      try { return PublicKeyCredential.parseCreationOptionsFromJSON(json); } catch (ignored) { /* below */ }
    }
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBuffer(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var parse = window.PublicKeyCredential && PublicKeyCredential.parseRequestOptionsFromJSON;
    if (parse) {
      try { return PublicKeyCredential.parseRequestOptionsFromJSON(json); } catch (ignored) { /* below */ }
    }
    var options = Object.assign({}, json);
    options.challenge = toBuffer(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  // The W3C RegistrationResponseJSON / AuthenticationResponseJSON.
  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") {
      try { return credential.toJSON(); } catch (ignored) { /* below */ }
    }
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = toText(response.userHandle);
    }
    return out;
  }

  // The server ---------------------------------------------------------------------------

  function Refused(text, field, restart) {
    this.name = "Refused";
    this.message = text;
    this.field = field;
    this.restart = restart;
  }

  function post(box, url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": box.getAttribute("data-csrf") || ""
      },
      body: JSON.stringify(body || {})
    }).catch(function () {
      throw new Refused(TEXT.network);
    }).then(function (answer) {
      return answer.json().catch(function () { return {}; }).then(function (data) {
        if (answer.ok) { return data; }
        var error = data.error;
        if (error && typeof error === "object") {
          throw new Refused(error.text || TEXT.other, error.field, data.restart);
        }
        throw new Refused(typeof error === "string" ? error : TEXT.other);
      });
    });
  }

  // What a refusal says ----------------------------------------------------------------------

  function explain(box, error, timedOut) {
    if (error instanceof Refused) { return error.message; }
    if (timedOut) { return TEXT.timeout; }
    var name = error && error.name;
    if (name === "NotAllowedError" && box.getAttribute("data-webauthn") === "passkey") {
      return TEXT.passkeyNotAllowed;
    }
    return TEXT[name] || TEXT.other;
  }

  function say(box, text, kind) {
    var region = box.querySelector("[data-webauthn-status]");
    region.textContent = "";
    var line = document.createElement("p");
    line.className = kind;
    line.textContent = text;
    region.appendChild(line);
  }

  function supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials &&
      typeof navigator.credentials.create === "function");
  }

  // One ceremony: options from the server, the browser's dialog, the answer to the server.
  function ceremony(box, start, run) {
    var button = box.querySelector("[data-webauthn-start]");
    button.disabled = true;
    box.setAttribute("aria-busy", "true");
    say(box, TEXT.busy, "muted");
    var timedOut = false;
    var timer = null;
    var controller = window.AbortController ? new AbortController() : null;
    function limit(options) {
      var wait = Number(options.timeout) || DEFAULT_TIMEOUT;
      timer = window.setTimeout(function () {
        timedOut = true;
        if (controller) { controller.abort(); }
      }, wait);
      return controller ? controller.signal : undefined;
    }
    return start()
      .then(function (options) { return run(options, limit(options)); })
      .catch(function (error) {
        window.clearTimeout(timer);
        box.removeAttribute("aria-busy");
        button.disabled = false;
        say(box, explain(box, error, timedOut), "error");
        if (error instanceof Refused && error.restart) {
          // The login or setup is over: a way to start again beside the message.
          var again = document.createElement("a");
          again.href = error.restart;
          again.textContent = "Opnieuw beginnen";
          box.querySelector("[data-webauthn-status] p").appendChild(document.createTextNode(" "));
          box.querySelector("[data-webauthn-status] p").appendChild(again);
        }
        if (error instanceof Refused && error.field === "name") {
          var name = box.querySelector("#f-key_name");
          if (name) { name.setAttribute("aria-invalid", "true"); name.focus(); }
        }
      })
      .then(function () { window.clearTimeout(timer); });
  }

  function register(box) {
    var name = box.querySelector("#f-key_name");
    if (!name.value.trim()) {
      say(box, TEXT.name, "error");
      name.setAttribute("aria-invalid", "true");
      name.focus();
      return;
    }
    name.removeAttribute("aria-invalid");
    ceremony(box, function () {
      return post(box, box.getAttribute("data-options"));
    }, function (options, signal) {
      return navigator.credentials.create({ publicKey: creationOptions(options), signal: signal })
        .then(function (credential) {
          return post(box, box.getAttribute("data-finish"), {
            credential: credentialJSON(credential),
            name: name.value.trim()
          });
        })
        .then(function () {
          say(box, TEXT.registered, "done");
          // The step ends as the other methods' do: the form the server answers.
          document.getElementById(box.getAttribute("data-done")).submit();
        });
    });
  }

  function signIn(box) {
    ceremony(box, function () {
      return post(box, box.getAttribute("data-options"));
    }, function (options, signal) {
      return navigator.credentials.get({ publicKey: requestOptions(options), signal: signal })
        .then(function (credential) {
          return post(box, box.getAttribute("data-finish"), { credential: credentialJSON(credential) });
        })
        .then(function (answer) {
          say(box, TEXT.signedIn, "done");
          window.location.assign(answer.next);
        });
    });
  }

  document.querySelectorAll("[data-webauthn]").forEach(function (box) {
    var button = box.querySelector("[data-webauthn-start]");
    box.querySelectorAll("[data-webauthn-needs-js]").forEach(function (note) { note.hidden = true; });
    if (!supported()) {
      box.querySelectorAll("[data-webauthn-unsupported]").forEach(function (note) { note.hidden = false; });
      return;
    }
    button.disabled = false;
    button.addEventListener("click", function () {
      if (box.getAttribute("data-webauthn") === "register") {
        register(box);
      } else {
        signIn(box);
      }
    });
  });
})();
