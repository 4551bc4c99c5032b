/* Phễu page-view tracking (SPEC §4; docs/decisions/0016-tracking.md).
 * Embed: <script async src="https://PHEU_HOST/t.js"></script>
 * Keeps a first-party visitor id in the cookie _pheu_vid on the page's
 * own site (2 years, SameSite=Lax) and reports every page view (url,
 * referrer, utm_*) to the Phễu server this file was loaded from. Forms
 * read the id with window.pheu.vid(). No third-party code.
 * Consent: with data-consent="required" on the script tag nothing is
 * stored or sent until the site calls pheu.consent(true) (its cookie
 * banner); pheu.consent(false) forgets the visitor. The answer is kept
 * in the cookie _pheu_consent. A browser's Global Privacy Control, and
 * a remembered refusal, count as a refusal in either mode. */
(function (w, d) {
  'use strict';
  if (w.pheu && w.pheu.vid) return; // loaded twice
  var me = d.currentScript;
  var m = me && /^(https?:\/\/[^?#]*?)\/t\.js(?:[?#].*)?$/.exec(me.src);
  if (!m || !w.URL || !w.URLSearchParams) return;
  var base = m[1];
  var NAME = '_pheu_vid';
  var UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];
  var domain = me.getAttribute('data-cookie-domain');

  function readCookie() {
    var parts = ('; ' + d.cookie).split('; ' + NAME + '=');
    var v = parts.length > 1 ? parts[1].split(';')[0] : '';
    return /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : '';
  }

  function newId() {
    var b = new Uint8Array(16);
    var s = '';
    w.crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) s += (b[i] + 256).toString(16).slice(1);
    return s;
  }

  // Writes cookie name (value '' with age 0 deletes it).
  function setCookie(name, value, age) {
    d.cookie = name + '=' + value + '; Max-Age=' + age + '; Path=/; SameSite=Lax' +
      (domain ? '; Domain=' + domain : '') +
      (location.protocol === 'https:' ? '; Secure' : '');
  }

  // Consent: '1' given, '0' refused, '' not asked (remembered choice).
  var CONSENT = '_pheu_consent';
  var asked = /(?:^|;\s*)_pheu_consent=([01])/.exec(d.cookie);
  var choice = asked ? asked[1] : '';
  var required = me.getAttribute('data-consent') === 'required';
  var gpc = navigator.globalPrivacyControl === true;
  var allowed = choice === '1' || (choice === '' && !required && !gpc);

  var vid = '';
  // Starts tracking: the visitor id, written on every page so the two
  // years run from the last visit.
  function start() {
    vid = readCookie() || newId();
    setCookie(NAME, vid, 63072000);
  }
  if (allowed) start();

  var replaceState = history.replaceState;
  var last = '';
  var prev = d.referrer;

  // Sends one page view of the current address (once per address).
  function page() {
    if (!allowed) return;
    var u;
    try {
      u = new URL(location.href);
    } catch (e) {
      return;
    }
    // _pk: the signed contact of a tracked email link, put there by
    // Phễu's redirect. Sent once, then taken out of the address bar.
    var pk = u.searchParams.get('_pk');
    if (pk !== null) {
      u.searchParams.delete('_pk');
      try {
        replaceState.call(history, history.state, '', u.href);
      } catch (e) {
        /* a sandboxed page keeps its address */
      }
    }
    var here = u.href;
    if (here === last && !pk) return;
    var p = new URLSearchParams();
    p.set('vid', vid);
    p.set('url', here.slice(0, 2000));
    if (prev) p.set('ref', prev.slice(0, 2000));
    for (var i = 0; i < UTM.length; i++) {
      var v = u.searchParams.get(UTM[i]);
      if (v) p.set(UTM[i], v.slice(0, 200));
    }
    if (pk) p.set('pk', pk.slice(0, 1000));
    last = here;
    prev = here; // the next view of a single-page app came from here
    var q = p.toString();
    if (!(navigator.sendBeacon && navigator.sendBeacon(base + '/t/collect?' + q))) {
      new Image().src = base + '/t.gif?' + q;
    }
  }

  // Single-page apps: a new address through the History API is a view.
  function hook(name) {
    var f = history[name];
    if (typeof f !== 'function') return;
    history[name] = function () {
      var r = f.apply(this, arguments);
      page();
      return r;
    };
  }
  hook('pushState');
  hook('replaceState');
  w.addEventListener('popstate', page);

  w.pheu = {
    /** The visitor id (the _pheu_vid cookie's value); '' without consent. */
    vid: function () {
      return vid;
    },
    /** Records the visitor's answer: true starts tracking (and sends
     * this page's view), false stops it and deletes the visitor id. */
    consent: function (yes) {
      setCookie(CONSENT, yes ? '1' : '0', 31536000);
      if (yes && !allowed) {
        allowed = true;
        start();
        page();
      } else if (!yes) {
        allowed = false;
        vid = '';
        last = '';
        setCookie(NAME, '', 0);
      }
    },
    /** Whether page views are being recorded. */
    tracking: function () {
      return allowed;
    },
    /** Records a view of the current address now (if not yet sent). */
    page: page,
    /** The Phễu server's base URL ("https://PHEU_HOST/t.js" less "/t.js"). */
    base: base,
  };
  page();
  try {
    w.dispatchEvent(new Event('pheu:ready'));
  } catch (e) {
    /* very old browsers: no Event constructor */
  }
})(window, document);
