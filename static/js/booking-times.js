/* The booking page's times: the month calendar, the month navigation, the visitor's time zone
 * and the open day. Everything is redrawn in place from the page itself fetched again with
 * ?tz=&month=&day= (never a reload: what the client typed below stays), keeping the chosen day
 * and the chosen time when they are still free.
 * Usage: var times = SkodBookingTimes(config); times.refresh() -> Promise (fresh page-config). */
window.SkodBookingTimes = function (config) {
  'use strict';
  var state = {tz: config.timezone, month: null, day: null};
  var switcher = document.getElementById('tz-switch');

  function holder() { return document.getElementById('times'); }

  // The day whose times are open: its calendar day marked (class and aria-current).
  function markDay(iso) {
    state.day = iso;
    holder().querySelectorAll('a.cal-day.free').forEach(function (a) {
      var on = a.dataset.day === iso;
      a.classList.toggle('chosen', on);
      if (on) { a.setAttribute('aria-current', 'date'); } else { a.removeAttribute('aria-current'); }
    });
    if (switcher && switcher.elements.day) { switcher.elements.day.value = iso || ''; }
  }

  function openDay(iso, focus) {
    var day = document.getElementById('day-' + iso);
    if (!day) { return false; }
    document.querySelectorAll('#slots details.day').forEach(function (d) { d.open = d === day; });
    markDay(iso);
    if (focus) {
      day.scrollIntoView({block: 'nearest'});
      day.querySelector('summary').focus();
    }
    return true;
  }

  function chosenTime() {
    var radio = document.querySelector('#slots input[name=start_at]:checked');
    return radio ? radio.value : null;
  }

  // Fetch the page again for the state's zone / month / day and put its times in place; the
  // chosen time stays chosen (and its day open) when it is still free. Resolves with the fresh
  // page's config (its new form token).
  function refresh() {
    var keep = chosenTime();
    var url = new URL(window.location.pathname, window.location.origin);
    url.searchParams.set('tz', state.tz);
    if (state.month) { url.searchParams.set('month', state.month); }
    if (state.day) { url.searchParams.set('day', state.day); }
    return fetch(url.toString(), {credentials: 'same-origin'})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('times');
        if (fresh) { holder().innerHTML = fresh.innerHTML; }
        // the address says what is shown (a reload shows it again), without a reload now
        window.history.replaceState(window.history.state, '', url.pathname + url.search);
        var radio = keep && holder().querySelector('input[name=start_at][value="' + keep + '"]');
        if (radio) {
          radio.checked = true;
          openDay(radio.closest('details.day').dataset.date, false);
        } else {
          var open = holder().querySelector('#slots details.day[open]');
          markDay(open ? open.dataset.date : null);
        }
        var node = doc.getElementById('page-config');
        return node ? JSON.parse(node.textContent) : null;
      });
  }

  holder().addEventListener('click', function (event) {
    var link = event.target.closest('a');
    if (!link) { return; }
    if (link.classList.contains('cal-day') && link.dataset.day) {
      if (openDay(link.dataset.day, true)) { event.preventDefault(); }
    } else if (link.dataset.month) {  // month navigation: redrawn in place
      event.preventDefault();
      state.month = link.dataset.month;
      state.day = null;
      refresh();
    }
  });
  // A day opened by its own heading, or a time picked: that day is the chosen one.
  holder().addEventListener('toggle', function (event) {
    if (event.target.matches && event.target.matches('details.day') && event.target.open) {
      markDay(event.target.dataset.date);
    }
  }, true);
  holder().addEventListener('change', function (event) {
    var day = event.target.closest && event.target.closest('details.day');
    if (day) { markDay(day.dataset.date); }
  });

  // The zone switcher: the same times in another zone, in place.
  var select = switcher && switcher.querySelector('select');
  function useZone(zone) {
    state.tz = zone;
    config.timezone = zone;
    if (select) { select.value = zone; }
    return refresh();
  }
  if (select) {
    select.addEventListener('change', function () { useZone(select.value); });
    switcher.addEventListener('submit', function (event) {
      event.preventDefault();
      useZone(select.value);
    });
  }
  // The visitor's own zone, read here (no reload to add ?tz=): the server showed the hours' zone.
  var own = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  var ready = Promise.resolve(null);
  if (!config.has_tz && own && own !== state.tz && select &&
      select.querySelector('option[value="' + own + '"]')) {
    ready = useZone(own);
  } else if (!config.has_tz) {  // the address names the zone shown, as after a change
    var here = new URL(window.location.href);
    here.searchParams.set('tz', state.tz);
    window.history.replaceState(window.history.state, '', here.pathname + here.search);
  }
  var open = holder().querySelector('#slots details.day[open]');
  if (open) { markDay(open.dataset.date); }

  return {refresh: refresh, ready: ready, chosenTime: chosenTime,
          dayLabel: function (radio) {
            var day = radio.closest('details.day');
            return day.querySelector('.day-name').textContent + ', ' +
              radio.parentNode.querySelector('span').textContent;
          }};
};
